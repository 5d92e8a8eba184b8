/** Character codes the hand-written scanners compare against (`text.charCodeAt(i) === SPACE`). */
export const TAB = 9;
export const LINE_FEED = 10;
export const CARRIAGE_RETURN = 13;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;
export const COMMA = 44;
export const ZERO = 48;
export const NINE = 57;
export const EQUALS = 61;
export const BACKSLASH = 92;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;

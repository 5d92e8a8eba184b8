/** The labels of every label-less sample: one frozen object instead of one `{}` per sample. */
export const NO_LABELS: Readonly<Record<never, string>> = Object.freeze({});

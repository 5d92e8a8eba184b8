/**
 * An error answer of the REST API: the status and the `errors` body arrays send,
 * `{"errors":[{"context": <object name or null>, "message": <text>}]}`.
 */
export class ApiError extends Error {
  readonly status: number;
  /** The object or parameter the error is about, or null. */
  readonly context: string | null;

  constructor(status: number, message: string, context: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.context = context;
  }

  /** The JSON body of this error. */
  toBody(): { errors: { context: string | null; message: string }[] } {
    return { errors: [{ context: this.context, message: this.message }] };
  }
}

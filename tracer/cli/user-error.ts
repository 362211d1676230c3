// An error the user can fix: printed as one line, never as a stack trace (unless --debug).
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** The directory data (infra/routing/*.yaml) is missing, unreadable or does not describe a usable directory. */
export class DirectoryError extends Error {
  readonly code = 'ADUAN_ERR_ROUTING_DIRECTORY';
  /** The file at fault, when one file is. */
  readonly file: string | undefined;
  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'DirectoryError';
    this.file = file;
  }
}

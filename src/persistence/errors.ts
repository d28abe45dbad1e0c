// The error every decoder throws on malformed input (RDB files, DUMP payloads): loading reports
// it with the file name and refuses the file; RESTORE answers "Bad data format".

export class RdbError extends Error {
  override name = 'RdbError';
}

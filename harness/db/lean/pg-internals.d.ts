// Types for the parts of node-postgres the lean connection reuses rather than copies: how pg reads
// a connection string (with its PG* environment defaults), how it answers SCRAM and md5, and how
// it turns a JavaScript value into a parameter's text. pg ships these modules without types.

declare module 'pg/lib/connection-parameters.js' {
  class ConnectionParameters {
    constructor(config: Record<string, unknown>);
    user: string;
    database: string;
    port: number;
    host: string;
    password: string | null | undefined | (() => string | Promise<string>);
    ssl: unknown;
    options?: string;
    application_name?: string;
    fallback_application_name?: string;
    statement_timeout?: string | number | false;
    lock_timeout?: string | number | false;
    idle_in_transaction_session_timeout?: string | number | false;
    replication?: string;
  }
  export default ConnectionParameters;
}

declare module 'pg/lib/crypto/sasl.js' {
  interface SaslSession {
    mechanism: string;
    clientNonce: string;
    response: string;
    message: string;
  }
  const sasl: {
    startSession(mechanisms: string[], stream?: unknown): SaslSession;
    continueSession(session: SaslSession, password: string, serverData: string, stream?: unknown): Promise<void>;
    finalizeSession(session: SaslSession, serverData: string): void;
  };
  export default sasl;
}

declare module 'pg/lib/crypto/utils.js' {
  const utils: {
    postgresMd5PasswordHash(user: string, password: string, salt: Buffer): Promise<string>;
  };
  export default utils;
}

declare module 'pg/lib/utils.js' {
  const utils: {
    /** null/undefined stay null; Buffers stay Buffers; everything else becomes text */
    prepareValue(value: unknown): string | Buffer | null;
  };
  export default utils;
}

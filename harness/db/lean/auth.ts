// Answers to the server's authentication requests: trust (nothing to answer), cleartext, md5 and
// SCRAM-SHA-256, with node-postgres's own md5 and SCRAM code so that a server that lets pg in lets
// the lean connection in too. No SSL here, so no channel binding (SCRAM's gs2 header is "n").
import { serialize } from 'pg-protocol';
import sasl from 'pg/lib/crypto/sasl.js';
import cryptoUtils from 'pg/lib/crypto/utils.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';

type SaslSession = ReturnType<typeof sasl.startSession>;

/** One connection's side of the authentication exchange. */
export class Authenticator {
  private session: SaslSession | null = null;

  constructor(
    private readonly user: string,
    private readonly password: string | undefined,
  ) {}

  private needPassword(method: string): string {
    if (this.password === undefined || this.password === '') {
      throw new Error(`the server asks for ${method} password authentication and the connection string has no password`);
    }
    return this.password;
  }

  /** The bytes to send for an authentication request (none for the last step of SCRAM), or
   *  undefined when msg is not an authentication request. Throws what pg would refuse. */
  async answer(msg: BackendMessage): Promise<Buffer | null | undefined> {
    switch (msg.name) {
      case 'authenticationCleartextPassword':
        return serialize.password(this.needPassword('cleartext'));
      case 'authenticationMD5Password': {
        const salt = (msg as unknown as { salt: Buffer }).salt;
        return serialize.password(await cryptoUtils.postgresMd5PasswordHash(this.user, this.needPassword('md5'), salt));
      }
      case 'authenticationSASL': {
        this.needPassword('SCRAM');
        this.session = sasl.startSession((msg as unknown as { mechanisms: string[] }).mechanisms);
        return serialize.sendSASLInitialResponseMessage(this.session.mechanism, this.session.response);
      }
      case 'authenticationSASLContinue': {
        if (!this.session) throw new Error('SASL: the server continued an exchange that was never started');
        await sasl.continueSession(this.session, this.needPassword('SCRAM'), (msg as unknown as { data: string }).data);
        return serialize.sendSCRAMClientFinalMessage(this.session.response);
      }
      case 'authenticationSASLFinal': {
        if (!this.session) throw new Error('SASL: the server finished an exchange that was never started');
        // verifies the server's signature: a server that does not know the password is refused
        sasl.finalizeSession(this.session, (msg as unknown as { data: string }).data);
        this.session = null;
        return null;
      }
      default:
        return undefined;
    }
  }
}

/**
 * Pulumi's secret encryption, re-implemented from its Go source so test stack files hold the exact bytes
 * `pulumi config set --secret` writes (pulumi/pulumi sdk/go/common/resource/config/crypt.go and
 * pkg/secrets/passphrase/manager.go):
 * - key: PBKDF2-HMAC-SHA256(passphrase, salt, 1,000,000 iterations, 32 bytes); salt: 8 random bytes;
 * - value: AES-256-GCM with a random 12-byte nonce, written `v1:<base64 nonce>:<base64 ciphertext+tag>`;
 * - `encryptionsalt`: `v1:<base64 salt>:` followed by the word "pulumi" encrypted that way (how Pulumi checks a
 *   passphrase before using it).
 * Cloud KMS providers use the same value format with a random 32-byte data key (pkg/secrets/cloud).
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';

const ITERATIONS = 1_000_000;
const TAG_BYTES = 16;

/** Encrypts and decrypts config values with one AES-256 key, as Pulumi's symmetric crypter does. */
export interface SymmetricCrypter {
  encrypt(plaintext: string): string;
  decrypt(ciphertext: string): string;
}

/** The crypter of a 32-byte key (a KMS data key, or one derived from a passphrase). */
export function symmetricCrypter(key: Buffer): SymmetricCrypter {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32 byte key');
  return {
    encrypt(plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1:${nonce.toString('base64')}:${sealed.toString('base64')}`;
    },
    decrypt(ciphertext) {
      const [version, nonce, sealed] = ciphertext.split(':');
      if (version !== 'v1' || nonce === undefined || sealed === undefined) throw new Error('bad value');
      const bytes = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}

/** A passphrase secrets provider: its `encryptionsalt` line and its crypter. */
export interface PassphraseProvider extends SymmetricCrypter {
  readonly encryptionSalt: string;
}

/** A new passphrase provider, as `pulumi stack init` with a passphrase backend creates one (about 0.5 s: PBKDF2). */
export function newPassphraseProvider(passphrase: string): PassphraseProvider {
  const salt = randomBytes(8);
  const crypter = symmetricCrypter(pbkdf2Sync(passphrase, salt, ITERATIONS, 32, 'sha256'));
  return { ...crypter, encryptionSalt: `v1:${salt.toString('base64')}:${crypter.encrypt('pulumi')}` };
}

/** The provider of an existing `encryptionsalt`; throws for the wrong passphrase, as Pulumi does. */
export function passphraseProvider(passphrase: string, encryptionSalt: string): PassphraseProvider {
  const [version, salt] = encryptionSalt.split(':');
  if (version !== 'v1' || salt === undefined) throw new Error('malformed state value');
  const crypter = symmetricCrypter(pbkdf2Sync(passphrase, Buffer.from(salt, 'base64'), ITERATIONS, 32, 'sha256'));
  let check: string;
  try {
    check = crypter.decrypt(encryptionSalt.slice(`v1:${salt}:`.length));
  } catch {
    throw new Error('incorrect passphrase');
  }
  if (check !== 'pulumi') throw new Error('incorrect passphrase');
  return { ...crypter, encryptionSalt };
}

/**
 * A value shaped like Pulumi Cloud's: the service's ciphertext is opaque to the CLI (base64 of its bytes); values in
 * public stack files start with the bytes 00 00 01 00 ("AAABA" in base64). Random bytes: no service here decrypts it.
 */
export function pulumiCloudCiphertext(): string {
  return Buffer.concat([Buffer.from([0, 0, 1, 0]), randomBytes(32)]).toString('base64');
}

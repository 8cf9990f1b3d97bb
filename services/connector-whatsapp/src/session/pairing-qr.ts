import qrcode from 'qrcode-terminal';
import { HttpError } from '@kanal/http';

/** The latest pairing QR of a session and the pair requests waiting for one. */
export class PairingQr {
  private current: string | undefined;
  private waiters: Array<(qr: string) => void> = [];

  constructor(private readonly print: boolean) {}

  /** Baileys rotates the QR every ~20 s; each new one replaces the last. */
  set(qr: string) {
    this.current = qr;
    this.waiters.splice(0).forEach((w) => w(qr));
    if (this.print) qrcode.generate(qr, { small: true });
  }

  clear() {
    this.current = undefined;
  }

  next(timeoutMs: number): Promise<string> {
    if (this.current) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new HttpError(504, 'SESSION.QR_TIMEOUT', 'no QR from WhatsApp in time')), timeoutMs);
      this.waiters.push((qr) => (clearTimeout(timer), resolve(qr)));
    });
  }
}

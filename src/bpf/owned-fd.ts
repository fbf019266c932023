import { closeFd } from "./libc.ts";

/** A kernel object held through one fd: maps, programs, tracepoint attachments, BTF. */
export class OwnedFd implements Disposable {
  #fd: number;

  protected constructor(fd: number) {
    this.#fd = fd;
  }

  /** The fd (-1 once closed or given up). */
  get fd(): number {
    return this.#fd;
  }

  /** Gives up the fd without closing it (see `closeInBackground`); the object reads as closed after. */
  takeFd(): number {
    const fd = this.#fd;
    this.#fd = -1;
    return fd;
  }

  /** Closes the fd; safe to call twice. */
  close(): void {
    closeFd(this.#fd);
    this.#fd = -1;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * The typed emitter behind `sluice.on/off/once`: eventemitter3 underneath, every listener wrapped so
 * that a throwing or rejecting listener is reported as `listener:error` and never breaks a call.
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import type { EventOf, SluiceEvent, SluiceEventType } from './types.js';

/** A listener for one event type. */
export type Listener<T extends SluiceEventType> = (event: EventOf<T>) => unknown;

type AnyListener = (event: SluiceEvent) => unknown;

/** Emits Sluice events; listeners cannot throw into the emitter. */
export class SluiceEmitter {
  readonly #emitter = new EventEmitter();
  readonly #wrappers = new WeakMap<AnyListener, Map<string, AnyListener>>();
  /** How many listener calls threw or rejected. */
  listenerErrors = 0;

  #wrap(type: SluiceEventType, listener: AnyListener): AnyListener {
    let byType = this.#wrappers.get(listener);
    if (byType === undefined) this.#wrappers.set(listener, (byType = new Map()));
    let wrapper = byType.get(type);
    if (wrapper === undefined) {
      wrapper = (event: SluiceEvent): void => {
        try {
          const result = listener(event);
          if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
            (result as PromiseLike<unknown>).then(undefined, (error: unknown) => this.#failed(type, error));
          }
        } catch (error) {
          this.#failed(type, error);
        }
      };
      byType.set(type, wrapper);
    }
    return wrapper;
  }

  #failed(type: SluiceEventType, error: unknown): void {
    this.listenerErrors++;
    // A failing listener:error listener must not recurse.
    if (type !== 'listener:error') this.emit({ type: 'listener:error', event: type, error });
  }

  /** Adds a listener. */
  on<T extends SluiceEventType>(type: T, listener: Listener<T>): void {
    this.#emitter.on(type, this.#wrap(type, listener as AnyListener));
  }

  /** Adds a listener that runs once. */
  once<T extends SluiceEventType>(type: T, listener: Listener<T>): void {
    this.#emitter.once(type, this.#wrap(type, listener as AnyListener));
  }

  /** Removes a listener added with `on` or `once`. */
  off<T extends SluiceEventType>(type: T, listener: Listener<T>): void {
    const wrapper = this.#wrappers.get(listener as AnyListener)?.get(type);
    if (wrapper !== undefined) this.#emitter.off(type, wrapper);
  }

  /** Whether anything listens to `type`; check it before building a payload. */
  has(type: SluiceEventType): boolean {
    return this.#emitter.listenerCount(type) > 0;
  }

  /** Emits one event to its listeners, synchronously. */
  emit(event: SluiceEvent): void {
    this.#emitter.emit(event.type, event);
  }

  /** Removes every listener. */
  clear(): void {
    this.#emitter.removeAllListeners();
  }
}

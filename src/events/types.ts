/**
 * Every event Sluice emits, as one discriminated union on `type`.
 * @module
 */
import type { Attempt, CallRecord, Dialect, Operation } from './record.js';

/** A modelled call has been classified and is entering the pipeline. */
export interface RequestStartEvent {
  type: 'request:start';
  /** The Sluice call id. */
  id: string;
  /** Wall-clock start, milliseconds since the epoch. */
  startedAt: number;
  dialect: Dialect;
  operation: Operation;
  /** The model the SDK asked for. */
  requestedModel: string | null;
  /** Whether the SDK asked for a stream. */
  streamed: boolean;
}

/** One upstream request of a call has its outcome (JSON answers: body read; streams: headers received). */
export interface AttemptEndEvent {
  type: 'attempt:end';
  /** The Sluice call id. */
  id: string;
  /** The attempt, as it will appear in the record's `attempts`. */
  attempt: Attempt;
  /** Its position in `attempts`, from 0. */
  index: number;
}

/** A modelled call has ended, whatever the outcome. Carries the record. */
export interface RequestEndEvent {
  type: 'request:end';
  record: CallRecord;
}

/** A modelled call ended in an error (fires after `request:end` for the same call). */
export interface RequestErrorEvent {
  type: 'request:error';
  record: CallRecord;
}

/** A call Sluice does not model (files, batches, the SDKs' `data:` probe, ...) passed through untouched. */
export interface PassthroughEndEvent {
  type: 'passthrough:end';
  /** HTTP method, upper case. */
  method: string;
  /** The URL with its query string removed (query strings can carry keys). */
  url: string;
  /** HTTP status, or `null` when the call failed at the network level. */
  status: number | null;
  /** Milliseconds until the response headers arrived or the call failed. */
  latencyMs: number;
}

/** An event listener threw. The call it observed was not affected. */
export interface ListenerErrorEvent {
  type: 'listener:error';
  /** The event whose listener threw. */
  event: string;
  error: unknown;
}

/** A user callback (LiteLLM-style) threw, rejected or timed out. The call was not affected. */
export interface CallbackErrorEvent {
  type: 'callback:error';
  /** The callback method, such as `logSuccessEvent` or `successCallback[0]`. */
  hook: string;
  /** The call id the callback was invoked for. */
  id: string;
  error: unknown;
}

/** An exporter dropped records: its queue was full, or every retry failed. */
export interface ExportDropEvent {
  type: 'export:drop';
  /** The exporter's name. */
  exporter: string;
  /** How many records were dropped by this event. */
  count: number;
  /** Why. */
  reason: 'queue_full' | 'export_failed' | 'closed';
  /** Total dropped by this exporter since it started. */
  totalDropped: number;
}

/** Any Sluice event. */
export type SluiceEvent =
  | RequestStartEvent
  | AttemptEndEvent
  | RequestEndEvent
  | RequestErrorEvent
  | PassthroughEndEvent
  | ListenerErrorEvent
  | CallbackErrorEvent
  | ExportDropEvent;

/** The event names. */
export type SluiceEventType = SluiceEvent['type'];

/** Maps each event name to its listener arguments, for eventemitter3's typed API. */
export type SluiceEventMap = { [E in SluiceEvent as E['type']]: [event: E] };

/** The payload of one event type. */
export type EventOf<T extends SluiceEventType> = Extract<SluiceEvent, { type: T }>;

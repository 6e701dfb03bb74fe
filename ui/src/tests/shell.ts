// A fake Rust shell for tests, on top of the Tauri API's own IPC mock: each
// command gets a handler, every call is recorded with its arguments, and
// channels can be driven by hand to stream events at chosen moments.

import { mockIPC } from "@tauri-apps/api/mocks";

export type Args = Record<string, unknown>;
export type Handler = (args: Args) => unknown;
export interface Call {
  cmd: string;
  args: Args;
}

export interface FakeShell {
  calls: Call[];
  callsTo(cmd: string): Args[];
  on(cmd: string, handler: Handler): void;
}

/** Installs the fake; a command with no handler rejects as the shell would. */
export function fakeShell(handlers: Record<string, Handler> = {}): FakeShell {
  const table = { ...handlers };
  const calls: Call[] = [];
  mockIPC(
    (cmd, payload) => {
      const args = (payload ?? {}) as Args;
      calls.push({ cmd, args });
      const handler = table[cmd];
      if (!handler) return Promise.reject({ code: "internal", message: `no fake for ${cmd}`, details: {} });
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    callsTo: (cmd) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
    on: (cmd, handler) => {
      table[cmd] = handler;
    },
  };
}

/** Sends a message down a channel the UI passed to a command. */
export function send<T>(channel: unknown, message: T): void {
  (channel as { onmessage: (message: T) => void }).onmessage(message);
}

/** A command whose answer the test gives later, with its channel at hand. */
export interface Pending<T> {
  handler: Handler;
  /** Resolves once the UI has called the command. */
  called: Promise<Args>;
  channel(): unknown;
  emit(message: unknown): void;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function pending<T>(channelKey = "onEvent"): Pending<T> {
  let args: Args | null = null;
  let markCalled: (a: Args) => void = () => {};
  const called = new Promise<Args>((r) => (markCalled = r));
  let settle: { resolve: (v: T) => void; reject: (e: unknown) => void } | null = null;
  return {
    handler: (a) => {
      args = a;
      markCalled(a);
      return new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
    },
    called,
    channel: () => args?.[channelKey],
    emit: (message) => send(args?.[channelKey], message),
    resolve: (value) => settle?.resolve(value),
    reject: (error) => settle?.reject(error),
  };
}

/** Emits an event to the window as the shell's emit_to would. */
export async function emitEvent(event: string, payload: unknown): Promise<void> {
  const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (cmd: string, args: Args) => Promise<unknown> } })
    .__TAURI_INTERNALS__;
  await internals.invoke("plugin:event|emit", { event, payload });
}

/** Lets queued promise callbacks and Svelte's updates run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
}

/**
 * Fakes only the wall clock (`Date`) at `now`: timers, ticks and microtasks stay real, so servers on 127.0.0.1 and
 * their sockets work while a test steps the time the code reads (`jest.setSystemTime`).
 */
export function fakeWallClock(now: string): void {
  jest.useFakeTimers({
    now: Date.parse(now),
    doNotFake: [
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'setImmediate',
      'nextTick',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
  });
}

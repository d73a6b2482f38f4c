// When the tools `npm test` runs (jest, biome) may colour their output. Colour codes belong on a terminal: in a CI
// log or a file they are noise, and some tools emit them regardless (biome always; jest's code frames whenever
// `CI` is set, through picocolors).

/**
 * Whether output should carry ANSI colours: `NO_COLOR` (no-color.org) turns them off, `FORCE_COLOR` on (off when
 * it is `0` or `false`); otherwise only when every stream written to is a terminal.
 * @param {boolean[]} streamsAreTerminals `isTTY` of each output stream (stdout, stderr)
 * @param {Record<string, string | undefined>} env
 * @returns {boolean}
 */
function wantsColour(streamsAreTerminals, env) {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return env.TERM !== 'dumb' && streamsAreTerminals.every(Boolean);
}

/**
 * The variables that turn colours off in jest and the libraries it runs (chalk's supports-color, and
 * @babel/code-frame, which checks `FORCE_COLOR === '0'` on each call: picocolors decides once, at load, from `CI`),
 * inherited by jest's workers. Empty when `NO_COLOR` already says so: Node warns when both are set.
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, string>}
 */
function noColourEnv(env) {
  return env.NO_COLOR ? {} : { FORCE_COLOR: '0' };
}

module.exports = { wantsColour, noColourEnv };

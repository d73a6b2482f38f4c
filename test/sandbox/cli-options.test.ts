/** The `npm start` command line: what each combination of flags and environment asks for. */
import { readCommandLine, USAGE } from '../../sandbox/cli-options';

describe('readCommandLine', () => {
  it.each([
    ['no option', [], {}, { command: 'scenario' }],
    ['--help', ['--help'], {}, { command: 'help' }],
    ['-h with --serve', ['--serve', '-h'], {}, { command: 'help' }],
    ['--serve', ['--serve'], {}, { command: 'serve', apiPort: 0, controlPort: 0, quiet: false }],
    [
      '--serve with both ports and --quiet',
      ['--serve', '--api-port', '3000', '--control-port=3001', '--quiet'],
      {},
      { command: 'serve', apiPort: 3000, controlPort: 3001, quiet: true },
    ],
    [
      '--serve with the ports in the environment',
      ['--serve'],
      { SANDBOX_API_PORT: '4000', SANDBOX_CONTROL_PORT: '4001' },
      { command: 'serve', apiPort: 4000, controlPort: 4001, quiet: false },
    ],
    [
      'a flag over the environment',
      ['--serve', '--api-port', '5000'],
      { SANDBOX_API_PORT: '4000' },
      { command: 'serve', apiPort: 5000, controlPort: 0, quiet: false },
    ],
  ])('when given %s, it asks for that', (_situation, args, env, expected) => {
    expect(readCommandLine(args, env)).toEqual(expected);
  });

  it.each([
    ['an unknown flag', ['--bogus'], {}, /Unknown option '--bogus'/],
    ['a positional argument', ['serve'], {}, /Unexpected argument 'serve'/],
    ['a port that is no number', ['--serve', '--api-port', 'http'], {}, /--api-port must be a port number/],
    ['a port out of range', ['--serve'], { SANDBOX_CONTROL_PORT: '70000' }, /--control-port must be a port number/],
    ['the same port twice', ['--serve', '--api-port', '3000', '--control-port', '3000'], {}, /must differ/],
    ['a port without --serve', ['--api-port', '3000'], {}, /--api-port applies only with --serve/],
  ])('when given %s, it says what is wrong', (_situation, args, env, problem) => {
    expect(readCommandLine(args, env)).toEqual({ command: 'invalid', problem: expect.stringMatching(problem) });
  });

  it('documents every flag it reads in the usage text', () => {
    for (const flag of ['--serve', '--api-port', '--control-port', '--quiet', '--help', 'SANDBOX_API_PORT'])
      expect(USAGE).toContain(flag);
  });
});

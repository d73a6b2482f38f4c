/** The `npm start` command line: what each combination of flags and environment asks for. */
import { readCommandLine, USAGE } from '../../sandbox/cli-options';

describe('readCommandLine', () => {
  it.each([
    ['no option', [], {}, { command: 'scenario' }],
    ['--help', ['--help'], {}, { command: 'help' }],
    ['-h with --serve', ['--serve', '-h'], {}, { command: 'help' }],
    [
      '--serve',
      ['--serve'],
      {},
      { command: 'serve', apiPort: 0, controlPort: 0, quiet: false, agent: { mode: 'stream' } },
    ],
    [
      '--serve with both ports and --quiet',
      ['--serve', '--api-port', '3000', '--control-port=3001', '--quiet'],
      {},
      { command: 'serve', apiPort: 3000, controlPort: 3001, quiet: true, agent: { mode: 'stream' } },
    ],
    [
      '--serve with the ports in the environment',
      ['--serve'],
      { SANDBOX_API_PORT: '4000', SANDBOX_CONTROL_PORT: '4001' },
      { command: 'serve', apiPort: 4000, controlPort: 4001, quiet: false, agent: { mode: 'stream' } },
    ],
    [
      'a flag over the environment',
      ['--serve', '--api-port', '5000'],
      { SANDBOX_API_PORT: '4000' },
      { command: 'serve', apiPort: 5000, controlPort: 0, quiet: false, agent: { mode: 'stream' } },
    ],
  ])('when given %s, it asks for that', (_situation, args, env, expected) => {
    expect(readCommandLine(args, env)).toEqual(expected);
  });

  it.each([
    ['nothing about the agent', ['--serve'], {}, { mode: 'stream' }],
    [
      'a team agent URL',
      ['--serve', '--agent-url', 'wss://agent.example.com/media'],
      {},
      { mode: 'stream', url: 'wss://agent.example.com/media' },
    ],
    [
      'a team agent speaking ConversationRelay',
      ['--serve', '--agent-url=wss://agent.example.com/relay', '--agent-mode', 'conversation-relay'],
      {},
      { mode: 'conversation-relay', url: 'wss://agent.example.com/relay' },
    ],
    [
      'a local agent over ws:// (loopback only)',
      ['--serve', '--agent-url', 'ws://127.0.0.1:8080/media'],
      {},
      { mode: 'stream', url: 'ws://127.0.0.1:8080/media' },
    ],
    [
      'the agent in the environment',
      ['--serve'],
      { SANDBOX_AGENT_URL: 'wss://agent.example.com/relay', SANDBOX_AGENT_MODE: 'conversation-relay' },
      { mode: 'conversation-relay', url: 'wss://agent.example.com/relay' },
    ],
    [
      'a flag over the environment',
      ['--serve', '--agent-url', 'wss://mine.example.com/media'],
      { SANDBOX_AGENT_URL: 'wss://team.example.com/media' },
      { mode: 'stream', url: 'wss://mine.example.com/media' },
    ],
    [
      'only a mode (the sample agent speaks both)',
      ['--serve', '--agent-mode', 'conversation-relay'],
      {},
      { mode: 'conversation-relay' },
    ],
  ])('when --serve is given %s, it connects calls to that agent', (_situation, args, env, agent) => {
    expect(readCommandLine(args, env)).toEqual({ command: 'serve', apiPort: 0, controlPort: 0, quiet: false, agent });
  });

  it.each([
    ['an unknown flag', ['--bogus'], {}, /Unknown option '--bogus'/],
    [
      'an agent URL that is not wss://',
      ['--serve', '--agent-url', 'https://agent.example.com'],
      {},
      /--agent-url must be a wss: or ws: URL/,
    ],
    [
      'a ws:// agent URL off this machine',
      ['--serve'],
      { SANDBOX_AGENT_URL: 'ws://agent.example.com/media' },
      /--agent-url must be a wss:\/\/ URL \(ws:\/\/ is accepted only for 127\.0\.0\.1 or localhost\)/,
    ],
    [
      'an agent URL with a query string',
      ['--serve', '--agent-url', 'wss://a.example.com/m?t=1'],
      {},
      /--agent-url must not carry a query string/,
    ],
    [
      'an agent mode the sandbox has no agent for',
      ['--serve', '--agent-mode', 'play'],
      {},
      /--agent-mode must be stream or conversation-relay, got "play"/,
    ],
    [
      'an agent without --serve (the scenario uses the sample agent)',
      ['--agent-url', 'wss://a.example.com/m'],
      {},
      /--agent-url applies only with --serve/,
    ],
    ['a positional argument', ['serve'], {}, /Unexpected argument 'serve'/],
    ['a port that is no number', ['--serve', '--api-port', 'http'], {}, /--api-port must be a port number/],
    ['a port out of range', ['--serve'], { SANDBOX_CONTROL_PORT: '70000' }, /--control-port must be a port number/],
    ['the same port twice', ['--serve', '--api-port', '3000', '--control-port', '3000'], {}, /must differ/],
    ['a port without --serve', ['--api-port', '3000'], {}, /--api-port applies only with --serve/],
  ])('when given %s, it says what is wrong', (_situation, args, env, problem) => {
    expect(readCommandLine(args, env)).toEqual({ command: 'invalid', problem: expect.stringMatching(problem) });
  });

  it('documents every flag it reads in the usage text', () => {
    for (const flag of [
      '--serve',
      '--api-port',
      '--control-port',
      '--quiet',
      '--help',
      'SANDBOX_API_PORT',
      '--agent-url',
      '--agent-mode',
      'SANDBOX_AGENT_URL',
      'SANDBOX_AGENT_MODE',
    ])
      expect(USAGE).toContain(flag);
  });
});

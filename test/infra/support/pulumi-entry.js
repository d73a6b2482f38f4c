// Loads infra/index.ts the way `pulumi up` does: Pulumi's vendored ts-node (type-checking, as by default) with the
// project's typescript and tsconfig.json, under Pulumi mocks. Run by test/infra/entrypoint.test.ts in a child process.
const path = require('node:path');
const root = process.argv[2];
process.chdir(root);
const pulumi = require(path.join(root, 'node_modules/@pulumi/pulumi'));
const tsn = require(path.join(root, 'node_modules/@pulumi/pulumi/vendor/ts-node@7.0.1'));
tsn.register({
  compiler: require.resolve('typescript', { paths: [root] }),
  transpileOnly: undefined,
  project: 'tsconfig.json',
  skipProject: false,
  compilerOptions: {},
});
const config = {
  'voice-ai-conference:twilioAccountSid': `AC${'0'.repeat(32)}`,
  'voice-ai-conference:phoneNumber': '+15551230000',
  'voice-ai-conference:agentStreamUrl': 'wss://a.example.com/m',
  'voice-ai-conference:twilioAuthToken': 'x',
  'aws:region': 'us-east-1',
};
pulumi.runtime.setAllConfig(config, ['voice-ai-conference:twilioAuthToken']);
let n = 0;
pulumi.runtime
  .setMocks(
    {
      newResource: (a) => {
        n++;
        return {
          id: `${a.name}-id`,
          state: {
            ...a.inputs,
            arn: `arn:aws:x:us-east-1:1:${a.name}`,
            apiEndpoint: 'https://x',
            executionArn: 'arn:aws:execute-api:us-east-1:1:x',
            sid: `AP${'1'.repeat(32)}`,
          },
        };
      },
      call: (a) => a.inputs,
    },
    'voice-ai-conference',
    'dev',
    false,
  )
  .then(() => {
    const t = Date.now();
    const program = require(path.join(root, 'infra/index.ts'));
    program.apiBaseUrl.apply((u) =>
      setTimeout(() => console.log(JSON.stringify({ ok: true, apiBaseUrl: u, resources: n, ms: Date.now() - t })), 200),
    );
  });

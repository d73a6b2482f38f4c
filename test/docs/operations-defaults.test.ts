/**
 * docs/operations.md lists the handlers' environment by hand; its Default column must say what the config schema
 * (and so every handler's reader: test/infra/config-defaults.test.ts) does for each variable with a default.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_KEYS, type ConfigKey } from '../../infra/config-schema';
import { ROOT, type Table, tableUnder } from './support/markdown';

const HEADING = '## Handler configuration (Lambda environment)';

/** A default as a Lambda variable holds it (lists comma-joined), as the Default column writes it. */
const asWritten = (value: NonNullable<ConfigKey['default']>) =>
  Array.isArray(value) ? value.join(',') : String(value);

/** The Default cell of the row naming `variable` in its first cell, code spans and quotes dropped. */
function defaultCell(table: Table, variable: string): string | undefined {
  const row = table.rows.find(({ cells }) =>
    [...(cells[0] ?? '').matchAll(/`([^`]+)`/g)].some((m) => m[1] === variable),
  );
  return row?.cells[2].replace(/^[`"]|[`"]$/g, '');
}

const withDefault = CONFIG_KEYS.flatMap((k) =>
  k.env && k.default !== undefined && asWritten(k.default) !== '' ? [[k.env.name, asWritten(k.default)]] : [],
);

describe('docs/operations.md handler configuration', () => {
  const table = tableUnder(readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8'), HEADING);

  it('when read, has the environment table under its heading', () => {
    // Assert
    expect(table?.header).toEqual(['Variable', 'Used by', 'Default', 'Meaning']);
  });

  it.each(withDefault)('when %s is unset, it names the default the handlers take: %s', (variable, value) => {
    // Act
    const documented = defaultCell(table!, variable);

    // Assert
    expect(documented).toBe(value);
  });
});

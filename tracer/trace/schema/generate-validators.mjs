// Compiles the trace schema (cttrace-v1.schema.json) into validator functions, as TypeScript
// under generated/, at build time (npm run build:schema). Why compiled and not interpreted: every
// reader checks every record (the CLI reads millions, the viewer opens 1M-record traces), and
// ajv's standalone code checks a record in well under a microsecond with no schema walking and no
// ajv at run time (the viewer's bundle does not carry it). Measured on 1M records: see the commit.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(join(here, 'cttrace-v1.schema.json'), 'utf8'));
// strictNumbers: NaN and Infinity are no numbers (JSON has neither, but 1e999 parses as Infinity).
// allErrors off: the first problem is the one reported, and checking stops there. verbose: an
// error carries the value and the schema around it (its `expected` words), for the message.
const ajv = new Ajv({ code: { source: true, esm: true, optimize: true }, strictNumbers: true, allErrors: false, verbose: true, strictTypes: false, allowUnionTypes: true });
// `expected`: what a value with alternatives (anyOf) must be, in words, for the error message.
ajv.addKeyword({ keyword: 'expected', schemaType: 'string' });
ajv.addSchema(schema);
const code = standaloneCode(ajv, {
  validateRecord: `${schema.$id}#/definitions/record`,
  validateHeader: `${schema.$id}#/definitions/header`,
});
if (/require\(|from "ajv/.test(code)) throw new Error('the generated validators need ajv at run time: keep the schema to keywords that compile alone');
const out = join(here, 'generated', 'validators.ts');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.tmp`, `// @ts-nocheck\n// Generated from cttrace-v1.schema.json by generate-validators.mjs (npm run build:schema): do not edit.\n${code}\n`);
renameSync(`${out}.tmp`, out);

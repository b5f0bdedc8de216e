// Writes the conformance corpus (../documents/) from the hand-written sources, with
// the real client tools: graphql-js for introspection and printing, Apollo Client
// for what it sends, the Relay compiler for what Relay sends.
//
//   node generate.mjs          rewrite ../documents/
//   node generate.mjs --check  generate into a temporary folder; exit 1 when the
//                              committed documents differ (CI)
//
// Every written document is validated against ../../../schema.graphql with
// graphql-js: the corpus holds only documents a spec-compliant server must accept.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ApolloClient, ApolloLink, InMemoryCache, Observable } from '@apollo/client/core/index.js';
import { addTypenameToDocument } from '@apollo/client/utilities/index.js';
import { buildSchema, getIntrospectionQuery, Kind, parse, print, validate } from 'graphql';

import { relayVariables } from './relay-variables.mjs';
import * as accountScreen from './screens/account.mjs';
import * as benchDashboardScreen from './screens/benchDashboard.mjs';
import * as creditScreen from './screens/credit.mjs';
import * as dashboardScreen from './screens/dashboard.mjs';
import * as inboxScreen from './screens/inbox.mjs';
import { multiDocuments } from './screens/multi.mjs';
import * as refetchScreen from './screens/refetch.mjs';
import * as requestScreen from './screens/request.mjs';
import * as reviewScreen from './screens/reviews.mjs';
import * as webhooksScreen from './screens/webhooks.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CONFORMANCE = path.resolve(HERE, '..');
const SCHEMA_FILE = path.resolve(CONFORMANCE, '../../schema.graphql');
const COMMITTED = path.join(CONFORMANCE, 'documents');
const SCREENS = {
  'screens/dashboard.mjs': dashboardScreen,
  'screens/account.mjs': accountScreen,
  'screens/request.mjs': requestScreen,
  'screens/reviews.mjs': reviewScreen,
  'screens/credit.mjs': creditScreen,
  'screens/inbox.mjs': inboxScreen,
  'screens/refetch.mjs': refetchScreen,
  'screens/benchDashboard.mjs': benchDashboardScreen,
  'screens/webhooks.mjs': webhooksScreen,
};

const schema = buildSchema(fs.readFileSync(SCHEMA_FILE, 'utf8'));

function operationsOf(document) {
  return document.definitions
    .filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
    .map((definition) => ({ name: definition.name?.value, type: definition.operation }));
}

function mustBeValid(file, text) {
  const errors = validate(schema, parse(text));
  if (errors.length > 0) {
    const lines = errors.map((error) => `  ${error.message}`).join('\n');
    throw new Error(`${file} is not valid against schema.graphql:\n${lines}`);
  }
}

function hasClientDirectives(document) {
  return print(document).match(/@(connection|client|nonreactive|unmask)\b/) !== null;
}

class Corpus {
  constructor(root) {
    this.root = root;
    this.entries = [];
  }

  write(file, text) {
    mustBeValid(file, text);
    const target = path.join(this.root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text.endsWith('\n') ? text : `${text}\n`);
  }

  add(entry) {
    if (this.entries.some((known) => known.id === entry.id)) {
      throw new Error(`two corpus entries are named ${entry.id}`);
    }
    this.entries.push(entry);
  }
}

function introspection(corpus) {
  const graphiql = getIntrospectionQuery({ inputValueDeprecation: true });
  const documents = {
    // graphql-js's defaults (what most tools send unless told otherwise)
    'introspection/default.graphql': getIntrospectionQuery(),
    // every option on: GraphiQL's schema explorer and code generators
    'introspection/full.graphql': getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    }),
    // GraphiQL 3 as the app serves it (Strawberry's page sets inputValueDeprecation),
    // and its fallback without subscriptionType, sent when the first gets no data
    'introspection/graphiql3.graphql': graphiql,
    'introspection/graphiql3-sans-subscriptions.graphql': graphiql.replace(
      'subscriptionType { name }',
      '',
    ),
  };
  for (const [file, text] of Object.entries(documents)) {
    corpus.write(file, text);
    corpus.add({
      id: file.replace(/\.graphql$/, ''),
      file,
      origin: 'graphql-js getIntrospectionQuery',
      operations: [{ name: 'IntrospectionQuery', type: 'query', variables: {} }],
    });
  }
}

// What Apollo Client hands its link (and so what HttpLink prints and POSTs): the
// document after the client's own transforms (__typename added, client-only
// directives such as @connection removed).
async function sentByApollo(document) {
  let sent = null;
  const link = new ApolloLink((operation) => {
    sent = operation.query;
    return Observable.of({ data: {} });
  });
  const client = new ApolloClient({ cache: new InMemoryCache(), link });
  await client.query({ query: document, fetchPolicy: 'no-cache', errorPolicy: 'all' });
  client.stop();
  if (sent === null) {
    throw new Error('Apollo Client sent nothing');
  }
  return sent;
}

async function apollo(corpus) {
  for (const [source, screen] of Object.entries(SCREENS)) {
    for (const entry of screen.operations) {
      const [operation, ...others] = operationsOf(entry.document);
      if (others.length > 0 || !operation.name) {
        throw new Error(`${source}: a screen document holds exactly one named operation`);
      }
      const file = `apollo/${operation.name}.graphql`;
      const sent = print(await sentByApollo(entry.document));
      const withTypename = print(addTypenameToDocument(entry.document));
      const cached = print(new InMemoryCache().transformDocument(entry.document));
      if (cached !== withTypename) {
        corpus.write(`apollo/${operation.name}.cache.graphql`, cached);
      }
      if (!hasClientDirectives(entry.document) && sent !== withTypename) {
        throw new Error(`${file}: Apollo sends more than addTypenameToDocument changes`);
      }
      corpus.write(file, sent);
      const variables = entry.variables[operation.name];
      if (variables === undefined) {
        throw new Error(`${source}: no variables for ${operation.name}`);
      }
      corpus.add({
        id: entry.name ? `apollo/${entry.name}` : `apollo/${operation.name}`,
        file,
        origin: `Apollo Client (${source})`,
        operations: [{ ...operation, variables }],
      });
    }
  }
}

function multi(corpus) {
  for (const spec of multiDocuments) {
    const sourceFile = path.join(HERE, 'screens', 'multi', spec.file);
    const text = fs.readFileSync(sourceFile, 'utf8');
    const document = parse(text);
    // addTypenameToDocument alone: InMemoryCache.transformDocument and ApolloClient
    // refuse a document with several operations (checkDocument, "Ambiguous GraphQL
    // document"), so this is as far as Apollo takes these.
    const apolloText = print(addTypenameToDocument(document));
    const stem = spec.file.replace(/\.graphql$/, '');
    const declared = operationsOf(document);
    const sent = declared.filter((operation) => !(spec.unsent ?? []).includes(operation.name));
    const missing = sent.filter((operation) => !(operation.name in spec.operations));
    if (missing.length > 0) {
      throw new Error(`${spec.file}: no variables for ${missing.map((o) => o.name)}`);
    }
    const cases = { '': spec.operations, ...(spec.extraCases ?? {}) };
    for (const [file, origin] of [
      [`multi/${stem}.graphql`, 'written by hand, sent verbatim'],
      [`multi/${stem}.apollo.graphql`, 'written by hand, through addTypenameToDocument'],
    ]) {
      corpus.write(file, file.endsWith('.apollo.graphql') ? apolloText : text);
      for (const [name, variables] of Object.entries(cases)) {
        corpus.add({
          id: file.replace(/\.graphql$/, '') + (name ? `@${name}` : ''),
          file,
          origin,
          operations: declared
            .filter((operation) => operation.name in variables)
            .map((operation) => ({ ...operation, variables: variables[operation.name] })),
          unsent: spec.unsent ?? [],
        });
      }
    }
  }
}

// Runs the Relay compiler on a copy of relay-src/ in a temporary folder (its
// artifacts are not part of the corpus) and returns each request's params.
async function compileRelay() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'docket-relay-'));
  try {
    fs.cpSync(path.join(HERE, 'relay-src'), path.join(work, 'src'), { recursive: true });
    fs.mkdirSync(path.join(work, '__generated__'));
    const config = {
      src: './src',
      schema: SCHEMA_FILE,
      language: 'javascript',
      artifactDirectory: './__generated__',
    };
    fs.writeFileSync(path.join(work, 'relay.config.json'), JSON.stringify(config, null, 2));
    const cli = path.join(HERE, 'node_modules', 'relay-compiler', 'cli.js');
    try {
      execFileSync(process.execPath, [cli], { cwd: work, stdio: 'pipe', encoding: 'utf8' });
    } catch (error) {
      throw new Error(`relay-compiler refused the sources or the schema:\n${error.stdout}${error.stderr}`);
    }
    // The artifacts are ES modules importing './X.graphql' the way bundlers resolve
    // it; Node needs the file's real name to load them.
    const generated = path.join(work, '__generated__');
    fs.writeFileSync(path.join(generated, 'package.json'), '{"type": "module"}\n');
    const names = fs.readdirSync(generated).filter((name) => name.endsWith('.graphql.js'));
    for (const name of names) {
      const file = path.join(generated, name);
      const code = fs.readFileSync(file, 'utf8').replace(/from '(\.\/[^']+\.graphql)'/g, "from '$1.js'");
      fs.writeFileSync(file, code);
    }
    const requests = [];
    for (const name of names.sort()) {
      const artifact = (await import(pathToFileURL(path.join(generated, name)).href)).default;
      if (artifact.kind === 'Request') {
        requests.push(artifact.params);
      }
    }
    return requests;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function relay(corpus) {
  const requests = await compileRelay();
  const known = new Set(requests.map((params) => params.name));
  const stale = Object.keys(relayVariables).filter((name) => !known.has(name));
  if (stale.length > 0) {
    throw new Error(`relay-variables.mjs names operations Relay does not generate: ${stale}`);
  }
  for (const params of requests) {
    const variables = relayVariables[params.name];
    if (variables === undefined) {
      throw new Error(`relay-variables.mjs has no variables for ${params.name}`);
    }
    const file = `relay/${params.name}.graphql`;
    corpus.write(file, params.text);
    corpus.add({
      id: `relay/${params.name}`,
      file,
      origin: 'relay-compiler params.text',
      operations: [{ name: params.name, type: params.operationKind, variables }],
    });
  }
}

function versions() {
  const require = createRequire(import.meta.url);
  const versionOf = (name) => require(`${name}/package.json`).version;
  return {
    graphql: versionOf('graphql'),
    '@apollo/client': versionOf('@apollo/client'),
    'relay-compiler': versionOf('relay-compiler'),
  };
}

async function generate(root) {
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  const corpus = new Corpus(root);
  introspection(corpus);
  await apollo(corpus);
  await relay(corpus);
  multi(corpus);
  const manifest = {
    about:
      'Each document: its file, the operations the runner sends (by operationName) and ' +
      'their variables; {"ref": NAME} stands for the global ID the seed recorded as NAME.',
    tools: versions(),
    documents: corpus.entries,
  };
  fs.writeFileSync(path.join(root, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return corpus.entries.length;
}

function listFiles(root) {
  if (!fs.existsSync(root)) {
    return [];
  }
  return fs
    .readdirSync(root, { recursive: true })
    .filter((name) => fs.statSync(path.join(root, name)).isFile())
    .sort();
}

async function check() {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'docket-corpus-'));
  try {
    await generate(fresh);
    const expected = listFiles(fresh);
    const committed = listFiles(COMMITTED);
    const problems = [
      ...expected.filter((name) => !committed.includes(name)).map((n) => `missing: ${n}`),
      ...committed.filter((name) => !expected.includes(name)).map((n) => `extra: ${n}`),
      ...expected
        .filter((name) => committed.includes(name))
        .filter(
          (name) =>
            fs.readFileSync(path.join(fresh, name), 'utf8') !==
            fs.readFileSync(path.join(COMMITTED, name), 'utf8'),
        )
        .map((name) => `differs: ${name}`),
    ];
    if (problems.length > 0) {
      console.error('The committed corpus is not what the sources generate (npm run generate):');
      for (const problem of problems) {
        console.error(`  ${problem}`);
      }
      process.exit(1);
    }
    console.log(`corpus up to date: ${expected.length} files`);
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}

if (process.argv.includes('--check')) {
  await check();
} else {
  const count = await generate(COMMITTED);
  console.log(`wrote ${count} corpus entries to ${path.relative(process.cwd(), COMMITTED)}`);
}

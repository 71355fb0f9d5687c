// Drives the embedded platform with the official `openwhisk` npm client (the version pinned in package.json) and
// checks that every call the client makes gets the answer Apache OpenWhisk gives. Run by NpmClientCompatibilityTest.
//
// Environment: OW_APIHOST (http://127.0.0.1:PORT, with the scheme: the client assumes https without one),
// OW_API_KEY (uuid:key of the guest subject), OW_NAMESPACE (the key's namespace, e.g. guest),
// OW_IMAGE (a blackbox image of the platform whose containers run the TestAction workload).
//
// Output: one JSON line per check ({"check", "ok", ...details}). The first failed check prints {"ok": false,
// "error": ...} and the script exits 1; a setup problem exits 2. Nothing prints the API key.
//
// Every check asserts what Apache OpenWhisk answers. A check named in KNOWN_DEVIATIONS is one where this platform is
// known to answer differently: its failure is printed ({"ok": false, "known": true}) but does not stop the script.
// When such a check passes, the line says so: remove it from the map then.

import openwhisk from 'openwhisk'
import assert from 'node:assert/strict'

const apihost = requireEnv('OW_APIHOST')
const apiKey = requireEnv('OW_API_KEY')
const namespace = requireEnv('OW_NAMESPACE')
const image = requireEnv('OW_IMAGE')
const ACTION = 'npmcompat'
const OBJECT_ACTION = 'npmcompat-object'
const POLL_LIMIT_MS = 30_000

function requireEnv (name) {
  const value = process.env[name]
  if (!value) {
    console.error(`compat: environment variable ${name} is not set`)
    process.exit(2)
  }
  return value
}

const ow = openwhisk({ apihost, api_key: apiKey, namespace: '_' })

/** Check name → how the platform deviates from OpenWhisk there (reported, not failed). */
const KNOWN_DEVIATIONS = new Map([])

let passed = 0
const deviations = []

/** Runs one named check; prints its line; stops the script at the first failure that is not a known deviation. */
async function check (name, fn) {
  try {
    const details = (await fn()) || {}
    passed++
    const fixed = KNOWN_DEVIATIONS.has(name) ? { note: 'known deviation no longer occurs: remove it from KNOWN_DEVIATIONS' } : {}
    console.log(JSON.stringify({ check: name, ok: true, ...details, ...fixed }))
  } catch (e) {
    const error = e instanceof assert.AssertionError
      ? `${e.message}`
      : `${e && e.name}: ${e && e.message}${e && e.statusCode ? ` (statusCode ${e.statusCode})` : ''}`
    if (KNOWN_DEVIATIONS.has(name)) {
      deviations.push(name)
      console.log(JSON.stringify({ check: name, ok: false, known: true, deviation: KNOWN_DEVIATIONS.get(name), error }))
      return
    }
    console.log(JSON.stringify({ check: name, ok: false, error }))
    console.error(`compat: check '${name}' failed after ${passed} passed: ${error}`)
    process.exit(1)
  }
}

/** Awaits a rejection of the client call and returns the OpenWhiskError, failing if it resolved. */
async function rejection (promise, what) {
  try {
    const value = await promise
    assert.fail(`${what}: expected the client to reject, but it resolved with ${JSON.stringify(value).slice(0, 300)}`)
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e
    return e
  }
}

function assertOpenWhiskError (e, statusCode, message, what) {
  assert.equal(e.name, 'OpenWhiskError', `${what}: error type (${e && e.message})`)
  assert.equal(e.statusCode, statusCode, `${what}: statusCode (message: ${e.message})`)
  assert.equal(typeof e.error, 'object', `${what}: the error body is JSON`)
  if (message !== undefined) {
    assert.equal(e.error.error, message, `${what}: error body 'error'`)
    assert.ok(e.message.includes(message), `${what}: the client's message quotes the platform's: ${e.message}`)
  }
  assert.match(String(e.error.code), /^[A-Za-z0-9._-]{1,64}$/, `${what}: error body 'code' (transaction id)`)
}

function annotation (record, key) {
  assert.ok(Array.isArray(record.annotations), 'record.annotations is an array')
  const found = record.annotations.find(a => a.key === key)
  return found === undefined ? undefined : found.value
}

function assertRecord (record, what) {
  assert.match(record.activationId, /^[0-9a-f]{32}$/, `${what}: activationId`)
  assert.equal(record.name, ACTION, `${what}: name`)
  assert.equal(record.namespace, namespace, `${what}: namespace`)
  assert.equal(typeof record.subject, 'string', `${what}: subject`)
  assert.equal(typeof record.version, 'string', `${what}: version`)
  assert.equal(typeof record.start, 'number', `${what}: start`)
  assert.equal(typeof record.end, 'number', `${what}: end`)
  assert.equal(record.duration, record.end - record.start, `${what}: duration = end - start`)
  assert.equal(annotation(record, 'path'), `${namespace}/${ACTION}`, `${what}: annotation path`)
  assert.equal(annotation(record, 'kind'), 'blackbox', `${what}: annotation kind`)
  assert.equal(typeof annotation(record, 'limits'), 'object', `${what}: annotation limits`)
  assert.equal(typeof annotation(record, 'waitTime'), 'number', `${what}: annotation waitTime`)
  assert.ok(annotation(record, 'waitTime') >= 0, `${what}: waitTime >= 0`)
}

const created = {}
const activationIds = []

await check('namespaces.list', async () => {
  const names = await ow.namespaces.list()
  assert.deepEqual(names, [namespace])
  return { namespaces: names }
})

await check('actions.list (empty)', async () => {
  const actions = await ow.actions.list()
  assert.ok(Array.isArray(actions), 'actions.list returns an array')
  assert.equal(actions.length, 0, `no actions yet: ${JSON.stringify(actions)}`)
  return { count: actions.length }
})

await check('actions.create blackbox (exec option) with limits, params and annotations', async () => {
  const doc = await ow.actions.create({
    name: ACTION,
    action: '',
    exec: { kind: 'blackbox', image },
    limits: { memory: 128, timeout: 20000 },
    params: { greeting: 'hi', overridden: 'default' },
    annotations: { description: 'openwhisk npm client compatibility' }
  })
  assert.equal(doc.name, ACTION, 'name')
  assert.equal(doc.namespace, namespace, 'namespace')
  assert.equal(doc.version, '0.0.1', 'version')
  assert.equal(doc.exec.kind, 'blackbox', 'exec.kind')
  assert.equal(doc.exec.image, image, 'exec.image')
  assert.equal(doc.limits.memory, 128, 'limits.memory')
  assert.equal(doc.limits.timeout, 20000, 'limits.timeout')
  assert.deepEqual(doc.parameters, [{ key: 'greeting', value: 'hi' }, { key: 'overridden', value: 'default' }], 'parameters')
  assert.equal(annotation(doc, 'description'), 'openwhisk npm client compatibility', 'annotation description')
  assert.equal(annotation(doc, 'exec'), 'blackbox', 'server-added annotation exec')
  created.doc = doc
  return { version: doc.version, limits: doc.limits }
})

await check('actions.create: a blank exec.code of a blackbox action is not stored', async () => {
  assert.equal(created.doc.exec.code, undefined, `exec of the created action: ${JSON.stringify(created.doc.exec)}`)
  const doc = await ow.actions.get({ name: ACTION })
  assert.equal(doc.exec.code, undefined, `exec of the stored action: ${JSON.stringify(doc.exec)}`)
  return { exec: doc.exec }
})

await check('actions.create again → 409', async () => {
  const e = await rejection(ow.actions.create({ name: ACTION, action: '', exec: { kind: 'blackbox', image } }), 'second create')
  assertOpenWhiskError(e, 409, 'resource already exists', 'second create')
  return { statusCode: e.statusCode, error: e.error.error }
})

await check('actions.create of the default kind (nodejs:default) → 400', async () => {
  const e = await rejection(ow.actions.create({ name: 'npmcompat-nodejs', action: 'function main() { return {} }' }), 'nodejs create')
  assertOpenWhiskError(e, 400, undefined, 'nodejs create')
  assert.match(e.error.error, /nodejs:default/, 'the message names the refused kind')
  return { statusCode: e.statusCode, error: e.error.error }
})

await check('actions.get', async () => {
  const doc = await ow.actions.get({ name: ACTION })
  assert.equal(doc.name, ACTION, 'name')
  assert.equal(doc.namespace, namespace, 'namespace')
  assert.equal(doc.exec.kind, 'blackbox', 'exec.kind')
  assert.equal(doc.exec.image, image, 'exec.image')
  assert.deepEqual(doc.limits, { timeout: 20000, memory: 128, logs: 10, concurrency: 1 }, 'limits echoed with defaults')
  assert.equal(doc.version, '0.0.1', 'version')
  const qualified = await ow.actions.get({ name: `/${namespace}/${ACTION}` })
  assert.equal(qualified.name, ACTION, 'get by the fully qualified name /ns/name')
  return { limits: doc.limits }
})

await check('actions.get with code=false', async () => {
  const doc = await ow.actions.get({ name: ACTION, code: false })
  assert.equal(doc.name, ACTION, 'name')
  assert.equal(doc.exec.code, undefined, 'no exec.code')
  return {}
})

await check('actions.update (limits only: merged, version bumped)', async () => {
  const doc = await ow.actions.update({ name: ACTION, limits: { memory: 256 } })
  assert.equal(doc.version, '0.0.2', 'version patch + 1')
  assert.equal(doc.limits.memory, 256, 'limits.memory updated')
  assert.equal(doc.limits.timeout, 20000, 'limits.timeout kept')
  assert.equal(doc.exec.kind, 'blackbox', 'exec kept')
  assert.equal(doc.exec.image, image, 'exec.image kept')
  assert.deepEqual(doc.parameters, created.doc.parameters, 'parameters kept')
  assert.equal(annotation(doc, 'description'), 'openwhisk npm client compatibility', 'annotations kept')
  return { version: doc.version, limits: doc.limits }
})

await check('actions.list (one action)', async () => {
  const actions = await ow.actions.list()
  assert.equal(actions.length, 1, `one action: ${JSON.stringify(actions)}`)
  assert.equal(actions[0].name, ACTION, 'name')
  assert.equal(actions[0].namespace, namespace, 'namespace')
  assert.equal(actions[0].version, '0.0.2', 'version')
  const count = await ow.actions.list({ count: true })
  assert.deepEqual(count, { actions: 1 }, 'count=true')
  return { names: actions.map(a => a.name) }
})

await check('actions.invoke blocking (cold): full record', async () => {
  const record = await ow.actions.invoke({ name: ACTION, blocking: true, params: { x: 1, overridden: 'invocation' } })
  assertRecord(record, 'cold record')
  assert.equal(record.response.success, true, 'response.success')
  assert.equal(record.response.status, 'success', 'response.status')
  assert.equal(record.response.result.greeting, 'hi', 'action default parameter')
  assert.equal(record.response.result.x, 1, 'invocation parameter')
  assert.equal(record.response.result.overridden, 'invocation', 'invocation parameters override defaults')
  assert.equal(typeof annotation(record, 'initTime'), 'number', 'initTime on the cold start')
  assert.ok(record.duration >= annotation(record, 'initTime'), 'duration includes initTime')
  assert.deepEqual(annotation(record, 'limits'), { timeout: 20000, memory: 256, logs: 10, concurrency: 1 }, 'annotation limits')
  assert.ok(record.logs === undefined || (Array.isArray(record.logs) && record.logs.length === 0), 'no logs in the blocking answer')
  activationIds.push(record.activationId)
  return { activationId: record.activationId, duration: record.duration, waitTime: annotation(record, 'waitTime'), initTime: annotation(record, 'initTime') }
})

await check('actions.invoke blocking with result: true (warm): the unwrapped result', async () => {
  const result = await ow.actions.invoke({ name: ACTION, blocking: true, result: true, params: { x: 2 } })
  assert.equal(result.greeting, 'hi', 'action default parameter')
  assert.equal(result.x, 2, 'invocation parameter')
  assert.equal(result.activationId, undefined, 'the result, not the record')
  activationIds.push(result._context && result._context.activation_id)
  return { keys: Object.keys(result).sort() }
})

await check('actions.invoke blocking (warm): no initTime', async () => {
  const record = await ow.actions.invoke({ name: ACTION, blocking: true, params: { x: 3 } })
  assertRecord(record, 'warm record')
  assert.equal(record.response.success, true, 'response.success')
  assert.equal(record.response.result.x, 3, 'invocation parameter')
  assert.equal(annotation(record, 'initTime'), undefined, 'no initTime on a warm start')
  activationIds.push(record.activationId)
  return { activationId: record.activationId, duration: record.duration, waitTime: annotation(record, 'waitTime') }
})

let asyncId
await check('actions.invoke non-blocking → activationId', async () => {
  const answer = await ow.actions.invoke({ name: ACTION, params: { log: ['hello from npm'], errLog: ['oops'] } })
  assert.deepEqual(Object.keys(answer), ['activationId'], `only an activationId: ${JSON.stringify(answer)}`)
  assert.match(answer.activationId, /^[0-9a-f]{32}$/, 'activationId')
  asyncId = answer.activationId
  activationIds.push(asyncId)
  return { activationId: asyncId }
})

await check('activations.get (polled until stored)', async () => {
  const deadline = Date.now() + POLL_LIMIT_MS
  let polls = 0
  for (;;) {
    polls++
    try {
      const record = await ow.activations.get({ activationId: asyncId })
      assertRecord(record, 'async record')
      assert.equal(record.activationId, asyncId, 'activationId')
      assert.equal(record.response.success, true, 'response.success')
      assert.ok(Array.isArray(record.logs), 'logs array in the full record')
      return { polls, duration: record.duration }
    } catch (e) {
      if (e.statusCode !== 404 || Date.now() > deadline) throw e
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }
})

await check('activations.result', async () => {
  const response = await ow.activations.result({ activationId: asyncId })
  assert.equal(response.success, true, 'success')
  assert.equal(response.status, 'success', 'status')
  assert.equal(response.result.greeting, 'hi', 'result')
  assert.deepEqual(response.result.log, ['hello from npm'], 'result echoes params')
  return { keys: Object.keys(response).sort() }
})

await check('activations.logs', async () => {
  const answer = await ow.activations.logs({ activationId: asyncId })
  assert.ok(Array.isArray(answer.logs), `{logs: [...]}: ${JSON.stringify(answer)}`)
  assert.ok(answer.logs.some(l => /^\S+\s+stdout: hello from npm$/.test(l)), `stdout line: ${JSON.stringify(answer.logs)}`)
  assert.ok(answer.logs.some(l => /^\S+\s+stderr: oops$/.test(l)), `stderr line: ${JSON.stringify(answer.logs)}`)
  assert.ok(!answer.logs.some(l => l.includes('XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX')), 'no sentinel')
  return { logs: answer.logs.length }
})

await check('activations.list with name', async () => {
  const list = await ow.activations.list({ name: ACTION, limit: 10 })
  assert.ok(Array.isArray(list), 'an array')
  assert.deepEqual(list.map(a => a.activationId).sort(), [...activationIds].sort(), 'exactly the activations of this action')
  for (const a of list) {
    assert.equal(a.name, ACTION, 'name')
    assert.equal(a.namespace, namespace, 'namespace')
  }
  const newestFirst = list.map(a => a.start)
  assert.deepEqual(newestFirst, [...newestFirst].sort((a, b) => b - a), 'newest start first')
  const other = await ow.activations.list({ name: 'no-such-action' })
  assert.deepEqual(other, [], 'another name lists nothing')
  const count = await ow.activations.list({ name: ACTION, count: true })
  assert.deepEqual(count, { activations: activationIds.length }, 'count=true')
  return { listed: list.length }
})

await check('actions.invoke blocking, application error → 502 with the record', async () => {
  const e = await rejection(ow.actions.invoke({ name: ACTION, blocking: true, params: { error: 'boom' } }), 'failing invoke')
  assertOpenWhiskError(e, 502, undefined, 'failing invoke')
  const record = e.error
  assertRecord(record, 'error record')
  assert.equal(record.response.success, false, 'response.success')
  assert.equal(record.response.status, 'application error', 'response.status')
  assert.equal(record.response.result.error, 'boom', 'response.result.error')
  assert.ok(e.message.includes('"boom"'), `the client's message quotes the action's error: ${e.message}`)
  activationIds.push(record.activationId)
  return { statusCode: e.statusCode, status: record.response.status }
})

await check('actions.invoke blocking with result: true, application error → 502', async () => {
  const e = await rejection(ow.actions.invoke({ name: ACTION, blocking: true, result: true, params: { error: 'bang' } }), 'failing invoke')
  assertOpenWhiskError(e, 502, undefined, 'failing invoke (result)')
  assert.equal(e.error.response.result.error, 'bang', 'response.result.error')
  return { statusCode: e.statusCode }
})

await check('actions.create object form, invoke, delete', async () => {
  const doc = await ow.actions.create({
    name: OBJECT_ACTION,
    action: { exec: { kind: 'blackbox', image }, limits: { memory: 128 }, parameters: [{ key: 'p', value: 'object' }] }
  })
  assert.equal(doc.exec.kind, 'blackbox', 'exec.kind')
  assert.equal(doc.limits.memory, 128, 'limits.memory')
  const result = await ow.actions.invoke({ name: OBJECT_ACTION, blocking: true, result: true })
  assert.equal(result.p, 'object', 'default parameter')
  const deleted = await ow.actions.delete({ name: OBJECT_ACTION })
  assert.equal(deleted.name, OBJECT_ACTION, 'delete returns the document')
  return {}
})

await check('actions.get of a missing action → 404', async () => {
  const e = await rejection(ow.actions.get({ name: 'no-such-action' }), 'missing get')
  assertOpenWhiskError(e, 404, 'The requested resource does not exist.', 'missing get')
  return { statusCode: e.statusCode }
})

await check('actions.invoke of a missing action → 404', async () => {
  const e = await rejection(ow.actions.invoke({ name: 'no-such-action', blocking: true }), 'missing invoke')
  assertOpenWhiskError(e, 404, 'The requested resource does not exist.', 'missing invoke')
  return { statusCode: e.statusCode }
})

await check('activations.get of an unknown id → 404', async () => {
  const e = await rejection(ow.activations.get({ activationId: '0'.repeat(32) }), 'unknown activation')
  assertOpenWhiskError(e, 404, 'The requested resource does not exist.', 'unknown activation')
  return { statusCode: e.statusCode }
})

await check('wrong api key → 401', async () => {
  const [uuid] = apiKey.split(':')
  const wrongKey = `${uuid}:${'x'.repeat(64)}`
  const bad = openwhisk({ apihost, api_key: wrongKey, namespace: '_' })
  const e = await rejection(bad.actions.list(), 'wrong key')
  assertOpenWhiskError(e, 401, 'The supplied authentication is invalid.', 'wrong key')
  assert.ok(!JSON.stringify(e.error).includes(wrongKey.split(':')[1]), 'the key is not echoed')
  return { statusCode: e.statusCode }
})

await check('actions.delete → then 404', async () => {
  const deleted = await ow.actions.delete({ name: ACTION })
  assert.equal(deleted.name, ACTION, 'delete returns the document')
  assert.equal(deleted.version, '0.0.2', 'version')
  const e = await rejection(ow.actions.get({ name: ACTION }), 'get after delete')
  assertOpenWhiskError(e, 404, 'The requested resource does not exist.', 'get after delete')
  const again = await rejection(ow.actions.delete({ name: ACTION }), 'delete again')
  assertOpenWhiskError(again, 404, 'The requested resource does not exist.', 'delete again')
  const actions = await ow.actions.list()
  assert.deepEqual(actions, [], 'no actions left')
  return { statusCode: e.statusCode }
})

console.log(JSON.stringify({ summary: true, passed, knownDeviations: deviations }))
console.log(`compat: all checks passed (${passed}), known deviations: ${deviations.length ? deviations.join('; ') : 'none'}`)

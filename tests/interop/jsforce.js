// jsforce 3 against `sfscenario mock --config mock.yaml` (run by tests/tools/interop.rs).
// Environment: MOCK_URL and the SF_* credentials the mock printed.
// Exits 1 with a message naming the first check that failed.
'use strict';

const assert = require('node:assert/strict');
const jsforce = require('jsforce');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const url = env('MOCK_URL');
const version = '62.0';

async function check(what, body) {
  try {
    await body();
  } catch (error) {
    throw new Error(`${what}: ${error.stack || error}`);
  }
}

async function main() {
  const conn = new jsforce.Connection({
    oauth2: { loginUrl: url, clientId: env('SF_CLIENT_ID'), clientSecret: env('SF_CLIENT_SECRET') },
    version,
  });

  await check('username-password login', async () => {
    const user = await conn.login(env('SF_USERNAME'), env('SF_PASSWORD') + env('SF_SECURITY_TOKEN'));
    assert.equal(conn.instanceUrl, url);
    assert.match(conn.accessToken, /^00D\w{12}!/);
    assert.match(user.id, /^005\w{15}$/);
    assert.match(user.organizationId, /^00D\w{15}$/);
  });

  await check('SOAP partner login (no client id)', async () => {
    const soap = new jsforce.Connection({ loginUrl: url, version });
    const user = await soap.login(env('SF_USERNAME'), env('SF_PASSWORD') + env('SF_SECURITY_TOKEN'));
    assert.equal(soap.instanceUrl, url);
    assert.match(user.organizationId, /^00D\w{15}$/);
    const result = await soap.query('SELECT Id FROM Account LIMIT 1');
    assert.equal(result.records.length, 1);
    await assert.rejects(
      new jsforce.Connection({ loginUrl: url, version }).login(env('SF_USERNAME'), 'wrong'),
      /INVALID_LOGIN/,
    );
  });

  await check('identity', async () => {
    const identity = await conn.identity();
    assert.equal(identity.username, env('SF_USERNAME'));
  });

  await check('describeGlobal and describe', async () => {
    const global = await conn.describeGlobal();
    assert.ok(global.sobjects.some((s) => s.name === 'Account'));
    const account = await conn.sobject('Account').describe();
    assert.equal(account.name, 'Account');
    assert.ok(account.fields.some((f) => f.name === 'Industry'));
  });

  const soql = "SELECT Id, Name FROM Account WHERE Name LIKE 'Interop%' ORDER BY Name";
  await check('query with autoFetch across batches', async () => {
    let batches = 0;
    const query = conn.query(soql).autoFetch(true).maxFetch(100);
    query.on('fetch', () => { batches += 1; });
    const { records, totalSize } = await query;
    assert.equal(totalSize, 7);
    assert.equal(records.length, 7);
    assert.deepEqual(records.map((r) => r.Name), [1, 2, 3, 4, 5, 6, 7].map((n) => `Interop 0${n}`));
    assert.ok(batches >= 3, `only ${batches} batches`);
    console.log(`query batches: ${batches}`);
  });

  await check('query and queryMore by hand', async () => {
    let result = await conn.query(soql);
    assert.equal(result.totalSize, 7);
    const names = result.records.map((r) => r.Name);
    let pages = 1;
    while (!result.done) {
      assert.ok(result.nextRecordsUrl, 'done: false without nextRecordsUrl');
      result = await conn.queryMore(result.nextRecordsUrl);
      names.push(...result.records.map((r) => r.Name));
      pages += 1;
    }
    assert.equal(names.length, 7);
    assert.equal(pages, 4);
  });

  await check('the SOQL builder: find, sort, limit, select *', async () => {
    const energy = await conn.sobject('Account')
      .find({ Industry: 'Energy', Name: { $like: 'Interop%' } }, ['Id', 'Name'])
      .sort('-Name')
      .limit(5);
    assert.deepEqual(energy.map((r) => r.Name), ['Interop 06', 'Interop 05']);
    const [one] = await conn.sobject('Account').select('*').where("Name = 'Interop 07'").limit(1);
    assert.equal(one.Industry, 'Retail');
  });

  let id;
  await check('create, update, retrieve, delete', async () => {
    const created = await conn.sobject('Account').create({ Name: 'jsforce Interop', Industry: 'Media' });
    assert.equal(created.success, true, JSON.stringify(created));
    assert.match(created.id, /^001\w{15}$/);
    id = created.id;
    console.log(`created ${id}`);
    const updated = await conn.sobject('Account').update({ Id: id, Name: 'jsforce Interop (renamed)' });
    assert.equal(updated.success, true, JSON.stringify(updated));
    const record = await conn.sobject('Account').retrieve(id);
    assert.equal(record.Name, 'jsforce Interop (renamed)');
    assert.equal(record.Industry, 'Media');
    const count = await conn.sobject('Account').count({ Name: 'jsforce Interop (renamed)' });
    assert.equal(count, 1);
    const deleted = await conn.sobject('Account').destroy(id);
    assert.equal(deleted.success, true, JSON.stringify(deleted));
  });

  await check('queryAll finds the deleted record', async () => {
    const soql = `SELECT Id, IsDeleted FROM Account WHERE Id = '${id}'`;
    const result = await conn.query(soql, { scanAll: true });
    assert.equal(result.totalSize, 1, JSON.stringify(result));
    assert.equal(result.records[0].IsDeleted, true);
  });

  await check('a deleted record is NOT_FOUND', async () => {
    await assert.rejects(conn.sobject('Account').retrieve(id), (error) => {
      assert.equal(error.errorCode, 'NOT_FOUND');
      return true;
    });
  });

  await check('limits', async () => {
    const limits = await conn.limits();
    assert.ok(limits.DailyApiRequests.Max > 0);
    assert.ok(conn.limitInfo.apiUsage.used > 0, JSON.stringify(conn.limitInfo));
  });

  await check('metadata.describe', async () => {
    const described = await conn.metadata.describe(version);
    const names = described.metadataObjects.map((o) => o.xmlName);
    assert.ok(names.includes('ConnectedApp'), names.join(', '));
    assert.ok(names.includes('CustomObject'), names.join(', '));
  });

  let appName;
  await check('metadata.list ConnectedApp', async () => {
    const listed = await conn.metadata.list([{ type: 'ConnectedApp' }], version);
    const apps = Array.isArray(listed) ? listed : [listed];
    const mine = apps.find((a) => a.fullName === 'sfscenario_Mock_App');
    assert.ok(mine, JSON.stringify(apps));
    appName = mine.fullName;
  });

  await check('metadata.read ConnectedApp', async () => {
    // An array of names reads as an array, a single name as one record.
    const [app] = await conn.metadata.read('ConnectedApp', [appName]);
    assert.equal(app.fullName, appName);
    assert.equal(app.oauthConfig.callbackUrl, 'http://localhost:8000/callback');
    assert.equal(String(app.oauthConfig.isPkceRequired), 'false');
    assert.equal(app.oauthConfig.consumerKey, env('SF_CLIENT_ID'));
    console.log(`ConnectedApp ${app.fullName}: callback ${app.oauthConfig.callbackUrl}`);
  });

  await check('metadata.read CustomObject', async () => {
    const object = await conn.metadata.read('CustomObject', 'Account');
    assert.equal(object.fullName, 'Account');
    assert.ok(object.fields.some((f) => f.fullName === 'Industry'));
  });

  await check('a bad session is INVALID_SESSION_ID', async () => {
    const stale = new jsforce.Connection({ instanceUrl: url, accessToken: '00Dbogus!session', version });
    await assert.rejects(stale.query('SELECT Id FROM Account'), (error) => {
      assert.equal(error.errorCode, 'INVALID_SESSION_ID');
      return true;
    });
    await assert.rejects(stale.metadata.describe(version), /INVALID_SESSION_ID/);
  });

  await check('logout revokes the token', async () => {
    const { accessToken } = conn;
    await conn.logout();
    const revoked = new jsforce.Connection({ instanceUrl: url, accessToken, version });
    await assert.rejects(revoked.query('SELECT Id FROM Account'), (error) => {
      assert.equal(error.errorCode, 'INVALID_SESSION_ID');
      return true;
    });
  });

  console.log('jsforce: all checks passed');
}

main().catch((error) => {
  console.error(`jsforce check failed: ${error.message || error}`);
  process.exit(1);
});

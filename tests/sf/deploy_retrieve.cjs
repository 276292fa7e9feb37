// The Salesforce CLI's own deploy and retrieve library
// (@salesforce/source-deploy-retrieve, as `sf project deploy start` and
// `sf project retrieve start` use it) against `sfscenario mock`: the project
// at PROJECT is converted and deployed, and its apps are retrieved into OUT.
// Driven by tests/tools/apps.rs; MOCK_URL and MOCK_TOKEN name the org.
const path = require('path');
const { ComponentSet } = require('@salesforce/source-deploy-retrieve');
const { AuthInfo, Connection } = require('@salesforce/core');

async function main() {
  const { MOCK_URL: url, MOCK_TOKEN: token, PROJECT: project, OUT: out } = process.env;
  const authInfo = await AuthInfo.create({
    accessTokenOptions: { accessToken: token, instanceUrl: url, loginUrl: url },
  });
  const connection = await Connection.create({ authInfo });
  connection.setApiVersion('62.0');
  const source = ComponentSet.fromSource(path.join(project, 'force-app'));
  source.sourceApiVersion = '62.0';
  const deploy = await source.deploy({ usernameOrConnection: connection, apiOptions: { singlePackage: true } });
  const deployed = await deploy.pollStatus(100, 60);
  console.log(`deploy: ${deployed.response.status}`);
  for (const file of deployed.getFileResponses()) {
    console.log(`deployed: ${file.state} ${file.type} ${file.fullName}${file.error ? ' ' + file.error : ''}`);
  }
  const wanted = new ComponentSet(
    source.toArray().map((c) => ({ fullName: c.fullName, type: c.type.name })).concat([{ fullName: 'Nope', type: 'ConnectedApp' }]),
  );
  wanted.sourceApiVersion = '62.0';
  const retrieve = await wanted.retrieve({ usernameOrConnection: connection, output: out, merge: false });
  const retrieved = await retrieve.pollStatus(100, 60);
  console.log(`retrieve: ${retrieved.response.status}`);
  for (const file of retrieved.getFileResponses()) {
    const where = file.filePath ? path.relative(out, file.filePath) : '';
    console.log(`retrieved: ${file.state} ${file.type} ${file.fullName} ${where}${file.error ? ' ' + file.error : ''}`);
  }
}

main().catch((error) => {
  console.error(`failed: ${error.stack || error}`);
  process.exit(1);
});

// @xapi/xapi, the npm client content authors use, against a live Pathlens /xapi/.
// Run by tests/xapi/test_clients_live.py, which reads the JSON this prints and asserts on it.
// Input (environment): XAPI_ENDPOINT, XAPI_AUTH (Basic, an API key), XAPI_TOKEN (a learner
// token), LEARNER_HOME, LEARNER, OTHER_LEARNER.
import { randomUUID } from "node:crypto";
import XAPI from "@xapi/xapi";

const env = process.env;
const agent = (name) => ({ objectType: "Agent", account: { homePage: env.LEARNER_HOME, name } });
const learner = agent(env.LEARNER);
const statement = (verb) => ({
  id: randomUUID(),
  actor: learner,
  verb: { id: `http://adlnet.gov/expapi/verbs/${verb}`, display: { "en-US": verb } },
  object: { objectType: "Activity", id: "https://content.example/h5p/quiz-9" },
});

/** The HTTP status of a refused request (axios puts it on the error's response). */
async function status(promise) {
  try {
    const answer = await promise;
    return answer.status;
  } catch (error) {
    return error.response ? error.response.status : String(error);
  }
}

async function statements(lrs) {
  const result = {};
  result.about = (await lrs.getAbout()).data.version;
  const first = statement("experienced");
  const second = statement("answered");
  result.sent = (await lrs.sendStatements({ statements: [first, second] })).data;
  result.fetched = (await lrs.getStatement({ statementId: first.id })).data.verb.id;
  const page = (await lrs.getStatements({ agent: learner, limit: 1, ascending: true })).data;
  const more = (await lrs.getMoreStatements({ more: page.more })).data;
  result.paged = [...page.statements, ...more.statements].map((item) => item.id);
  result.expected = [first.id, second.id];
  result.resent = await status(lrs.sendStatement({ statement: second }));
  const changed = { ...second, verb: { id: "http://adlnet.gov/expapi/verbs/passed" } };
  result.conflict = await status(lrs.sendStatement({ statement: changed }));
  result.voiding = await status(lrs.voidStatement({ actor: learner, statementId: first.id }));
  result.voided = (await lrs.getVoidedStatement({ voidedStatementId: first.id })).data.id;
  result.after_voiding = await status(lrs.getStatement({ statementId: first.id }));
  return result;
}

async function state(lrs) {
  const key = { agent: learner, activityId: "https://content.example/sim-4", stateId: "resume" };
  await lrs.setState({ ...key, state: { page: 3 } });
  await lrs.createState({ ...key, state: { score: 2 } }); // POST merges JSON objects
  const result = { state: (await lrs.getState(key)).data };
  result.ids = (await lrs.getStates({ agent: learner, activityId: key.activityId })).data;
  await lrs.deleteState(key);
  result.after_delete = await status(lrs.getState(key));
  return result;
}

async function learnerToken() {
  const lrs = new XAPI({ endpoint: env.XAPI_ENDPOINT, auth: `Bearer ${env.XAPI_TOKEN}` });
  const own = await status(lrs.sendStatement({ statement: statement("experienced") }));
  const other = { ...statement("experienced"), actor: agent(env.OTHER_LEARNER) };
  return { own, other: await status(lrs.sendStatement({ statement: other })) };
}

const lrs = new XAPI({ endpoint: env.XAPI_ENDPOINT, auth: env.XAPI_AUTH });
const result = { ...(await statements(lrs)), ...(await state(lrs)), token: await learnerToken() };
process.stdout.write(JSON.stringify(result));

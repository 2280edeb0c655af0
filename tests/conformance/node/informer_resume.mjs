// @kubernetes/client-node's informer (makeInformer) against kubesim.
//
// Real server behaviour checked (api-concepts "Efficient detection of changes";
// apiserver storage/cacher/watch_cache.go; client-node src/cache.ts):
// - an informer whose watch ended resumes from its last resourceVersion; the
//   server then sends exactly the changes since: the informer must see the
//   deletion (never keep a deleted object) and must not see a known object
//   ADDED again;
// - a resourceVersion the server no longer keeps ends the watch with a 410
//   ERROR event; the informer re-lists and its cache matches the server.
import * as k8s from '@kubernetes/client-node';

const NS = 'conf-node';
const kc = new k8s.KubeConfig();
kc.loadFromDefault();
// kubesim serves plain HTTP on loopback; client-node 1.x only allows http:// with skipTLSVerify.
kc.loadFromOptions({
  clusters: kc.getClusters().map((c) => ({ ...c, skipTLSVerify: true })),
  users: kc.getUsers(),
  contexts: kc.getContexts(),
  currentContext: kc.getCurrentContext(),
});
const core = kc.makeApiClient(k8s.CoreV1Api);
const failures = [];
const log = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, predicate) {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await sleep(50);
  }
  failures.push(`timed out waiting for ${what}; events: ${JSON.stringify(log)}`);
}
async function control(path) {
  const res = await fetch(`${process.env.KUBESIM_URL}/kubesim/v1/${path}`, { method: 'POST', body: '{}' });
  if (!res.ok) throw new Error(`control ${path}: ${res.status}`);
}
const cm = (name, value = 'v') => ({ metadata: { name }, data: { k: value } });
// kube-root-ca.crt is in every namespace, as on a real cluster.
const cached = (informer) =>
  informer
    .list(NS)
    .map((o) => o.metadata.name)
    .filter((n) => n !== 'kube-root-ca.crt')
    .sort()
    .join(',');

await core.createNamespace({ body: { metadata: { name: NS } } });
await core.createNamespacedConfigMap({ namespace: NS, body: cm('a') });
await core.createNamespacedConfigMap({ namespace: NS, body: cm('b') });

const path = `/api/v1/namespaces/${NS}/configmaps`;
const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: NS }));
for (const phase of ['add', 'update', 'delete']) {
  informer.on(phase, (o) => log.push(`${phase} ${o.metadata.name}`));
}
informer.on('error', (e) => log.push(`error ${e.statusCode ?? e.code ?? e.message}`));
await informer.start();
await until('the first list', () => cached(informer) === 'a,b');

// Drop the watch and change things while the informer is away; start()
// resumes from the resourceVersion it last saw.
await informer.stop();
log.length = 0;
await core.patchNamespacedConfigMap(
  { name: 'a', namespace: NS, body: { data: { k: 'changed' } } },
  k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
);
await core.deleteNamespacedConfigMap({ name: 'b', namespace: NS });
await core.createNamespacedConfigMap({ namespace: NS, body: cm('c') });
await informer.start();
await until('the resumed watch', () => cached(informer) === 'a,c' && log.includes('update a'));
if (log.includes('add a')) failures.push(`known object a replayed as ADDED: ${JSON.stringify(log)}`);
if (!log.includes('delete b')) failures.push(`deletion of b lost: ${JSON.stringify(log)}`);
if (informer.get('a', NS)?.data?.k !== 'changed') failures.push('a was not updated in the cache');

// Away again; the history it needs is compacted: 410, relist, consistent cache.
await informer.stop();
log.length = 0;
await core.deleteNamespacedConfigMap({ name: 'c', namespace: NS });
await control('compact');
await informer.start();
await until('the relist after 410', () => cached(informer) === 'a' && log.includes('delete c'));
await informer.stop();

for (const f of failures) console.log(`FAIL ${f}`);
if (failures.length === 0) console.log('ok   client-node informer resume, 410 and relist');
process.exit(failures.length === 0 ? 0 : 1);

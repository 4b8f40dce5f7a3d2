/** Discovery, manifests and dependency order: every mistake stops start-up with a clear reason. */
import t from 'tap';
import { discoverPlugins, orderByDependencies } from '../../core/plugin-host/discover.ts';
import { readManifest, ManifestError } from '../../core/plugin-host/manifest.ts';
import { fixtureCase, NO_BUILT_INS, SAMPLE_DIGEST, SAMPLE_NOTES } from './support.ts';

const discover = (...paths: string[]) => discoverPlugins(NO_BUILT_INS, paths);
const ids = (list: Array<{ manifest: { id: string } }>) => list.map((p) => p.manifest.id);

t.test('dependencies come first, whatever order the plugins were configured in', async (t) => {
  t.same(ids(orderByDependencies(discover(SAMPLE_DIGEST, SAMPLE_NOTES))), ['sample-notes', 'sample-digest']);
  t.same(ids(orderByDependencies(discover(SAMPLE_NOTES, SAMPLE_DIGEST))), ['sample-notes', 'sample-digest']);
});

t.test('a missing dependency or a cycle is a start-up error naming the plugins', async (t) => {
  t.throws(() => orderByDependencies(discover(SAMPLE_DIGEST)), new ManifestError('plugin "sample-digest" depends on "sample-notes", which is not installed'));
  t.throws(() => orderByDependencies(discover(fixtureCase('needs-missing'))), /plugin "needs-missing" depends on "not-installed", which is not installed/);
  t.throws(
    () => orderByDependencies(discover(fixtureCase('cycle-a'), fixtureCase('cycle-b'), fixtureCase('cycle-c'))),
    new ManifestError('plugin dependency cycle: cycle-a -> cycle-b -> cycle-c -> cycle-a'),
  );
});

t.test('the same plugin id twice is refused', async (t) => {
  t.throws(() => discover(SAMPLE_NOTES, SAMPLE_NOTES), /two plugins have the id "sample-notes"/);
});

t.test('manifest errors say which file and which field', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['reserved-id', /reserved-id\/plugin\.json: plugin id "members" is reserved by the kernel/],
    ['bad-json', /cannot read .*bad-json\/plugin\.json: .*JSON/],
    ['bad-licence', /bad-licence\/plugin\.json: \/licensing\/flagship must be equal to one of the allowed values \(included, addon, unavailable\)/],
    ['unknown-field', /unknown-field\/plugin\.json: \/dependancies is not a manifest field/],
    ['escaping-server', /escaping-server\/plugin\.json: \/server must stay inside the plugin folder/],
    ['bad-settings-schema', /bad-settings-schema\/plugin\.json: \/settings is not a usable JSON Schema: .*minimum/],
  ];
  for (const [name, message] of cases) {
    t.throws(() => readManifest(fixtureCase(name), false), message, name);
    t.throws(() => discover(fixtureCase(name)), { name: 'ManifestError' }, `${name} stops discovery`);
  }
});

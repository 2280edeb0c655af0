// The release record shares its ConfigMap (`sluice-release.<name>`) with the
// rollout record of the release's lock (state::RecordStore of rollout
// `release.<name>`, object `sluice-release.<name>`): writing one must keep
// the other's keys.
#include "engine/engine_world.hpp"

#include <sluice/kube/resources.hpp>
#include <sluice/release/record.hpp>
#include <sluice/state/record_store.hpp>

#include <catch2/catch.hpp>

using sluice::release::ReleaseRecord;
using sluice::release::ReleaseStore;

TEST_CASE("saving the release record keeps the lock's rollout record in the same ConfigMap", "[release]") {
  // Given the ConfigMap both stores name, holding the lock's rollout record
  engine_test::EngineWorld world(1);
  auto& kube = world.kube();
  REQUIRE(ReleaseStore::object_name("shop") ==
          sluice::state::RecordStore::object_name(ReleaseStore::lock_rollout("shop")));
  REQUIRE(kube.create(sluice::kube::k_configmaps, "shop",
                      {{"metadata", {{"name", ReleaseStore::object_name("shop")}}},
                       {"data", {{"record", "{\"phase\":\"Progressing\"}"}}}})
              .ok());
  ReleaseStore store(kube, "shop", "shop");
  REQUIRE(store.load());
  ReleaseRecord record;
  record.name = "shop";
  record.digest = "app@sha256:1";

  // When the release record is written, twice (create-or-update, then update)
  REQUIRE(store.save(record));
  record.phase = "Succeeded";
  REQUIRE(store.save(record));

  // Then both keys are there
  auto cm = kube.get(sluice::kube::k_configmaps, "shop", ReleaseStore::object_name("shop"));
  REQUIRE(cm);
  CHECK(cm->value("/data/record"_json_pointer, "") == "{\"phase\":\"Progressing\"}");
  auto loaded = ReleaseStore(kube, "shop", "shop").load();
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->phase == "Succeeded");
}

// kubesim reads the Kubernetes protobuf bodies kubectl >= 1.32 sends for its
// typed create commands. The fixtures are the exact bytes kubectl 1.33 sent.
#include <kubesim/protobuf.hpp>

#include <catch2/catch.hpp>

namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// kubectl.1.33 create namespace nsa
const std::string k_namespace =
    "6b3873000a0f0a02763112094e616d657370616365121b0a130a036e7361120"
    "01a0022002a003200380042001200"
    "1a020a001a002200";
// kubectl.1.33 create deployment web --image=nginx:1.25 --replicas=2 --port=80
const std::string k_deployment =
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bd010a1f0a0377656212001a0022002a003200380042005a"
    "0a0a036170701203776562128b010802120c0a0a0a0361707012037765621a710a1c0a0012001a0022002a003200380042005a0a"
    "0a036170701203776562125112330a056e67696e78120a6e67696e783a312e32352a00320a0a001000185022002a0042006a0072"
    "00800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c08"
    "00100018002000280038001a002200";

}  // namespace

TEST_CASE("a protobuf Namespace from kubectl decodes to the JSON kubectl would have sent",
          "[kubesim][protobuf]") {
  const auto ns = kubesim::decode_kubernetes_protobuf(from_hex(k_namespace));
  REQUIRE(ns.ok());
  CHECK(*ns == kubesim::Json{{"apiVersion", "v1"},
                             {"kind", "Namespace"},
                             {"metadata", {{"name", "nsa"}}},
                             {"spec", kubesim::Json::object()}});
}

TEST_CASE("a protobuf Deployment keeps replicas, selector, template and ports", "[kubesim][protobuf]") {
  const auto d = kubesim::decode_kubernetes_protobuf(from_hex(k_deployment));
  REQUIRE(d.ok());
  CHECK((*d)["apiVersion"] == "apps/v1");
  CHECK((*d)["spec"]["replicas"] == 2);
  CHECK((*d)["spec"]["selector"]["matchLabels"]["app"] == "web");
  const auto& container = (*d)["spec"]["template"]["spec"]["containers"][0];
  CHECK(container["name"] == "nginx");
  CHECK(container["image"] == "nginx:1.25");
  CHECK(container["ports"] == kubesim::Json::array({{{"containerPort", 80}}}));
  CHECK_FALSE(d->contains("status"));
}

TEST_CASE("protobuf kubesim cannot read is refused, never half-decoded", "[kubesim][protobuf]") {
  SECTION("no k8s magic") {
    CHECK(kubesim::decode_kubernetes_protobuf("{}").error().message ==
          "provided protobuf body is missing the \"k8s\\x00\" prefix");
  }
  SECTION("a kind without a schema") {
    // Unknown{typeMeta{apiVersion: batch/v1, kind: Job}}
    const std::string job = std::string("k8s\0", 4) +
                            "\x0a\x0f\x0a\x08"
                            "batch/v1"
                            "\x12\x03"
                            "Job" +
                            std::string("\x12\x00", 2);
    CHECK(kubesim::decode_kubernetes_protobuf(job).error().message ==
          "kubesim cannot decode protobuf for batch/v1 Job; send application/json");
  }
  SECTION("a non-empty field the schema does not know") {
    // ConfigMap with field 9 = "x"
    const std::string raw = std::string("\x0a\x00", 2) + "\x4a\x01x";
    const std::string body = std::string("k8s\0", 4) +
                             "\x0a\x0f\x0a\x02v1\x12\x09"
                             "ConfigMap" +
                             "\x12" + static_cast<char>(raw.size()) + raw;
    CHECK(kubesim::decode_kubernetes_protobuf(body).error().message ==
          "kubesim cannot decode protobuf field 9 of ConfigMap; send application/json");
  }
}

TEST_CASE("a protobuf DeleteOptions body decodes (helm uninstall sends one)", "[kubesim][protobuf]") {
  const std::string raw = std::string("\x22\x0a", 2) + "Background" + std::string("\x08\x00", 2);
  const std::string body = std::string("k8s\0", 4) + "\x0a\x13\x0a\x02v1\x12\x0d" + "DeleteOptions" + "\x12" +
                           static_cast<char>(raw.size()) + raw;
  const auto options = kubesim::decode_kubernetes_protobuf(body);
  REQUIRE(options.ok());
  CHECK((*options)["propagationPolicy"] == "Background");
  CHECK((*options)["gracePeriodSeconds"] == 0);
}

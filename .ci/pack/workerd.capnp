# workerd configuration for the pack smoke: runs the bundled Worker's test() with `workerd test`.
# The Worker reaches the mock provider through a network service limited to loopback addresses
# (workerd's default "internet" service allows public addresses only).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .smokeWorker),
    (name = "loopback", network = (allow = ["local"])),
  ],
);

const smokeWorker :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "workerd-worker.bundle.mjs")],
  compatibilityDate = "2026-01-01",
  bindings = [(name = "MOCK_URL", fromEnvironment = "MOCK_URL")],
  globalOutbound = "loopback",
);

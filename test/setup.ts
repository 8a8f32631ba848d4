// Sluice loads its price catalog beside the first calls of a process, and those calls' records wait
// for it. Loading it here, as a running application will have, keeps each test file independent of
// whether an earlier file happened to load it first (tests about that first load await `flush()`).
await import('../src/wire/prices/index.js');

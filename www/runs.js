// Runs kept in this browser (IndexedDB "atelier-runs"), for the page and the engine's worker
// alike: records in one store, model files in another, both under the run's id. What a record
// holds, and which models make room when space runs short, are the core's (crates/core/src/runs);
// this file only stores, in whole transactions, so that no record is ever half-written.
//
// A record is kept as { json, name, note }: the core's JSON as text (a u64 seed must not pass
// through a JavaScript number), and the user's name and note beside it, which the engine's
// writes leave as the user set them. Every write is announced on the BroadcastChannel
// "atelier-runs", so that every tab's Runs panel follows every tab's runs.
self.atelierRuns = (() => {
  let database = null;
  function open() {
    database ??= new Promise((resolve, reject) => {
      const request = indexedDB.open("atelier-runs", 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("records");
        request.result.createObjectStore("models");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return database;
  }
  const channel = "BroadcastChannel" in self ? new BroadcastChannel("atelier-runs") : null;
  function announce() {
    channel?.postMessage("changed");
  }
  // One transaction over `stores`; resolves with what `action` returns once it has committed.
  async function run(stores, mode, action) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(stores, mode);
      let result;
      Promise.resolve(action(transaction)).then((value) => (result = value), (error) => {
        transaction.abort();
        reject(error);
      });
      transaction.oncomplete = () => {
        if (mode === "readwrite") announce();
        resolve(result);
      };
      transaction.onerror = transaction.onabort = () => reject(transaction.error ?? new Error("aborted"));
    });
  }
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  // Writes from one context keep their order: each waits for the one before it.
  let queue = Promise.resolve();
  function queued(task) {
    const next = queue.then(task, task);
    queue = next.catch(() => {});
    return next;
  }
  // The engine's write of a run's record (and, when given, its model, and the models of older
  // runs to drop first, with their records marked): the user's name and note stay.
  function putRun(id, json, name, model, drops) {
    return queued(() => run(["records", "models"], "readwrite", async (t) => {
      const records = t.objectStore("records");
      const models = t.objectStore("models");
      for (const drop of drops ?? []) {
        const old = await request(records.get(drop.id));
        if (old) records.put({ ...old, json: drop.json }, drop.id);
        models.delete(drop.id);
      }
      const old = await request(records.get(id));
      records.put({ json, name: old?.name ?? name, note: old?.note ?? "" }, id);
      if (model) models.put(model, id);
    }));
  }
  // A record left running by a closed or crashed tab, settled by a page: written only while the
  // stored record still says running, for its run may have ended since the page read it (its
  // last write comes before its lock goes), and that write must stand.
  function settle(id, json) {
    return queued(() => run(["records"], "readwrite", async (t) => {
      const records = t.objectStore("records");
      const old = await request(records.get(id));
      if (old && JSON.parse(old.json).state === "running") records.put({ ...old, json }, id);
    }));
  }
  // Runs read from a runs file: all of them or none.
  function importRuns(runs) {
    return queued(() => run(["records", "models"], "readwrite", (t) => {
      for (const r of runs) {
        t.objectStore("records").put({ json: r.json, name: r.name, note: r.note }, r.id);
        if (r.model) t.objectStore("models").put(r.model, r.id);
        else t.objectStore("models").delete(r.id);
      }
    }));
  }
  function rename(id, name, note) {
    return queued(() => run(["records"], "readwrite", async (t) => {
      const store = t.objectStore("records");
      const old = await request(store.get(id));
      if (old) store.put({ ...old, name, note }, id);
    }));
  }
  function remove(ids) {
    return queued(() => run(["records", "models"], "readwrite", (t) => {
      for (const id of ids) {
        t.objectStore("records").delete(id);
        t.objectStore("models").delete(id);
      }
    }));
  }
  // The storage rule reads what is kept, then writes by it: one run at a time applies it, in
  // every tab (a Web Lock), or two runs ending together would each count the same room as free.
  // Resolves, once granted, to the function that releases it.
  function room() {
    if (!self.navigator?.locks) return Promise.resolve(() => {});
    return new Promise((granted) => {
      self.navigator.locks.request("atelier-runs-room", () => new Promise((release) => granted(release)));
    });
  }
  // Every record, as [{ id, json, name, note }].
  function records() {
    return run(["records"], "readonly", async (t) => {
      const store = t.objectStore("records");
      const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
      return keys.map((id, i) => ({ id, ...values[i] }));
    });
  }
  function model(id) {
    return run(["models"], "readonly", (t) => request(t.objectStore("models").get(id)));
  }
  // What the browser gives this origin: { usage, quota } in bytes. `?storage-quota=BYTES` in
  // the page's address caps the quota (the worker's address carries the page's), for the tests
  // of the storage rule.
  async function estimate() {
    const given = (await self.navigator?.storage?.estimate?.()) ?? {};
    const cap = Number(new URL(self.location.href).searchParams.get("storage-quota"));
    const quota = cap > 0 ? Math.min(cap, given.quota ?? cap) : given.quota ?? 0;
    return { usage: given.usage ?? 0, quota, capped: cap > 0 };
  }
  // A run under way holds the Web Lock "atelier-run-ID" until it ends; one whose lock nobody
  // holds (or asks for: the request is made before the run's first record is written) was
  // left by a closed or crashed tab.
  const held = new Map();
  function hold(id) {
    self.navigator?.locks?.request(`atelier-run-${id}`, () => {
      // Released before it was granted (a run over at once): let it go now.
      if (held.get(id) === "released") return void held.delete(id);
      return new Promise((release) => held.set(id, release));
    });
  }
  function release(id) {
    const release = held.get(id);
    if (typeof release === "function") {
      release();
      held.delete(id);
    } else {
      held.set(id, "released");
    }
  }
  async function live() {
    if (!self.navigator?.locks) return [];
    const { held: locks = [], pending = [] } = await self.navigator.locks.query();
    return [...locks, ...pending].map((l) => l.name).filter((n) => n.startsWith("atelier-run-")).map((n) => n.slice(12));
  }
  function onChange(callback) {
    if (!channel) return;
    channel.addEventListener("message", () => callback());
  }
  return { putRun, settle, importRuns, rename, remove, room, records, model, estimate, hold, release, live, onChange };
})();

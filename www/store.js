// The engine's storage (IndexedDB, in its worker): one object store, values by key. Used to
// keep the latest model so that a reload, even in the middle of training, loses nothing.
self.atelierStore = (() => {
  let database = null;
  function open() {
    database ??= new Promise((resolve, reject) => {
      const request = indexedDB.open("atelier", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("kept");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return database;
  }
  async function run(mode, action) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction("kept", mode);
      const request = action(transaction.objectStore("kept"));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
    });
  }
  // One tab writes: the engine that holds the Web Lock "atelier-kept-model", asked for as the
  // engine starts and held until its worker ends (the first tab open). Another tab's engine
  // reads what is kept but does not overwrite it, and says so; it asks again at each write, so
  // it takes over once the first tab has closed.
  let owner = null;
  function own() {
    if (owner === true) return Promise.resolve(true);
    if (!self.navigator?.locks) return Promise.resolve(true);
    return new Promise((resolve) => {
      self.navigator.locks.request("atelier-kept-model", { ifAvailable: true }, (lock) => {
        owner = lock !== null;
        resolve(owner);
        // Held for the worker's lifetime.
        return lock ? new Promise(() => {}) : undefined;
      }).catch(() => resolve(false));
    });
  }
  own();
  async function put(key, value) {
    if (!(await own())) {
      const error = new Error("another Atelier tab keeps its models: this tab's model is not kept (close the other tab to keep this one's)");
      error.name = "AnotherTab";
      throw error;
    }
    return run("readwrite", (store) => store.put(value, key));
  }
  return {
    put,
    get: (key) => run("readonly", (store) => store.get(key)),
  };
})();

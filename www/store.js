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
  return {
    put: (key, value) => run("readwrite", (store) => store.put(value, key)),
    get: (key) => run("readonly", (store) => store.get(key)),
  };
})();

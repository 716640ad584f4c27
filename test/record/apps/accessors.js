// Native memory allocated inside a getter and a setter: V8 names their code "get big" and "set big".
const kept = [];
class Store {
  get big() {
    return Buffer.allocUnsafeSlow(256 * 1024);
  }
  set big(n) {
    kept.push(Buffer.allocUnsafeSlow(n));
  }
}
const store = new Store();
for (let i = 0; i < 40; i++) {
  kept.push(store.big);
  store.big = 128 * 1024;
}
console.log(`kept ${kept.length} buffers`);

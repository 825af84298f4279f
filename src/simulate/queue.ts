/** A binary min-heap of events keyed by (time, insertion order): ties run in the order they were scheduled. */
export class EventQueue {
  time = new Float64Array(256);
  seq = new Float64Array(256);
  type = new Uint8Array(256);
  a = new Int32Array(256);
  b = new Int32Array(256);
  f = new Float64Array(256);
  size = 0;
  private counter = 0;

  clear(): void {
    this.size = 0;
    this.counter = 0;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(x: T): T => {
      const y = new (x.constructor as new (n: number) => T)(n);
      y.set(x);
      return y;
    };
    this.time = g(this.time);
    this.seq = g(this.seq);
    this.type = g(this.type);
    this.a = g(this.a);
    this.b = g(this.b);
    this.f = g(this.f);
  }

  private less(i: number, j: number): boolean {
    const ti = this.time[i];
    const tj = this.time[j];
    return ti < tj || (ti === tj && this.seq[i] < this.seq[j]);
  }

  private swap(i: number, j: number): void {
    let x: number;
    x = this.time[i];
    this.time[i] = this.time[j];
    this.time[j] = x;
    x = this.seq[i];
    this.seq[i] = this.seq[j];
    this.seq[j] = x;
    x = this.type[i];
    this.type[i] = this.type[j];
    this.type[j] = x;
    x = this.a[i];
    this.a[i] = this.a[j];
    this.a[j] = x;
    x = this.b[i];
    this.b[i] = this.b[j];
    this.b[j] = x;
    x = this.f[i];
    this.f[i] = this.f[j];
    this.f[j] = x;
  }

  push(time: number, type: number, a: number, b = 0, f = 0): void {
    if (this.size === this.time.length) this.grow();
    let i = this.size++;
    this.time[i] = time;
    this.seq[i] = this.counter++;
    this.type[i] = type;
    this.a[i] = a;
    this.b[i] = b;
    this.f[i] = f;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  topTime(): number {
    return this.time[0];
  }

  /** Removes the top event; its fields are left at index `size` (read them with popped*). */
  pop(): void {
    const last = --this.size;
    this.swap(0, last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.less(r, l) ? r : l;
      if (!this.less(c, i)) break;
      this.swap(c, i);
      i = c;
    }
  }
}

/** A max-heap of (priority, id) with ties to the smaller id: crews take the most important repair first. */
export class PriorityHeap {
  pri: number[] = [];
  id: number[] = [];

  get size(): number {
    return this.id.length;
  }

  clear(): void {
    this.pri.length = 0;
    this.id.length = 0;
  }

  private before(i: number, j: number): boolean {
    return this.pri[i] > this.pri[j] || (this.pri[i] === this.pri[j] && this.id[i] < this.id[j]);
  }

  private swap(i: number, j: number): void {
    const p = this.pri[i];
    this.pri[i] = this.pri[j];
    this.pri[j] = p;
    const d = this.id[i];
    this.id[i] = this.id[j];
    this.id[j] = d;
  }

  push(pri: number, id: number): void {
    this.pri.push(pri);
    this.id.push(id);
    let i = this.id.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): number {
    const top = this.id[0];
    const last = this.id.length - 1;
    this.swap(0, last);
    this.pri.pop();
    this.id.pop();
    let i = 0;
    const n = this.id.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(r, l) ? r : l;
      if (!this.before(c, i)) break;
      this.swap(c, i);
      i = c;
    }
    return top;
  }
}

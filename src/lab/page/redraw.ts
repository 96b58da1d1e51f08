// Redraws at most once per animation frame: the worker may post many messages between two
// frames, and only the last state of each view is worth drawing.

export interface View {
  draw(): void;
}

export class Redraw {
  private readonly dirty = new Set<View>();
  private pending = false;

  request(view: View): void {
    this.dirty.add(view);
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      const views = [...this.dirty];
      this.dirty.clear();
      for (const v of views) v.draw();
    });
  }
}

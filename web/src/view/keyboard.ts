// Perfetto-style keys: W/S zoom, A/D pan, F fit, arrows step, `?` help.

export interface KeyActions {
  zoom(factor: number): void;
  pan(fraction: number): void;
  fit(): void;
  step(direction: 1 | -1): void;
  moveLane(direction: 1 | -1): void;
  toggleHelp(): void;
  closeOverlays(): void;
  focusSearch(): void;
  togglePlay(): void;
}

function typingIn(target: EventTarget | null): boolean {
  const node = target as HTMLElement | null;
  return !!node && (node.tagName === 'INPUT' || node.tagName === 'SELECT' || node.tagName === 'TEXTAREA' || node.isContentEditable);
}

export function installKeyboard(actions: KeyActions): void {
  window.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typingIn(event.target)) return;
    const handled = (() => {
      switch (event.key) {
        case 'w': case 'W': actions.zoom(1.3); return true;
        case 's': case 'S': actions.zoom(1 / 1.3); return true;
        case 'a': case 'A': actions.pan(-0.12); return true;
        case 'd': case 'D': actions.pan(0.12); return true;
        case 'f': case 'F': actions.fit(); return true;
        case 'ArrowRight': case ']': actions.step(1); return true;
        case 'ArrowLeft': case '[': actions.step(-1); return true;
        case 'ArrowDown': actions.moveLane(1); return true;
        case 'ArrowUp': actions.moveLane(-1); return true;
        case '?': actions.toggleHelp(); return true;
        case 'Escape': actions.closeOverlays(); return true;
        case '/': actions.focusSearch(); return true;
        case ' ': actions.togglePlay(); return true;
        default: return false;
      }
    })();
    if (handled) event.preventDefault();
  });
}

// The toolbar and page chrome: open button, drag and drop, replay controls, live controls,
// help, and the title line. Reads state from the app; sends actions to it.
import { formatCount, formatDuration, formatTimestamp } from '../model/format.js';
import type { App } from './app.js';
import { byId, el } from './dom.js';
import { buildHelp } from './help-overlay.js';
import { defaultSpeed, SPEEDS, speedLabel } from './replay.js';

export class Toolbar {
  private readonly title = byId('trace-title');
  private readonly play = byId<HTMLButtonElement>('play');
  private readonly speed = byId<HTMLSelectElement>('speed');
  private readonly scrubber = byId<HTMLInputElement>('scrubber');
  private readonly clock = byId('clock');
  private readonly liveBox = byId('live-controls');
  private readonly liveStatus = byId('live-status');
  private readonly livePause = byId<HTMLButtonElement>('live-pause');
  private readonly liveFollow = byId<HTMLInputElement>('live-follow');
  private readonly help = byId('help');
  private readonly welcome = byId('welcome');
  private lastTraceEnd = -1;
  private updateRequested = false;

  constructor(private readonly app: App) {
    const fileInput = byId<HTMLInputElement>('file-input');
    byId('open-button').addEventListener('click', () => fileInput.click());
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0];
      if (file) app.openFile(file);
      fileInput.value = '';
    });
    this.installDrop();
    for (const speed of SPEEDS) this.speed.append(el('option', { text: speedLabel(speed), attrs: { value: String(speed) } }));
    this.speed.value = String(app.replay.speed);
    this.speed.addEventListener('change', () => (app.replay.speed = Number(this.speed.value)));
    this.play.addEventListener('click', () => app.togglePlay());
    this.scrubber.addEventListener('input', () => app.scrub(Number(this.scrubber.value) / 1000));
    this.livePause.addEventListener('click', () => app.setLivePaused(!app.live.paused));
    this.liveFollow.addEventListener('change', () => app.setFollow(this.liveFollow.checked));
    buildHelp(this.help);
    byId('help-button').addEventListener('click', () => this.toggleHelp());
    this.help.addEventListener('click', (event) => {
      if (event.target === this.help || (event.target as HTMLElement).classList.contains('close-help')) this.toggleHelp(false);
    });
    // at most once a frame: a live trace reports a batch every few ms
    app.onStatus = () => {
      if (this.updateRequested) return;
      this.updateRequested = true;
      requestAnimationFrame(() => {
        this.updateRequested = false;
        this.update();
      });
    };
    this.update();
  }

  toggleHelp(show = this.help.hidden): void {
    this.help.hidden = !show;
  }

  private installDrop(): void {
    const zone = byId('drop-zone');
    let depth = 0;
    const hasFiles = (event: DragEvent) => [...(event.dataTransfer?.types ?? [])].includes('Files');
    window.addEventListener('dragenter', (event) => {
      if (!hasFiles(event)) return;
      depth++;
      zone.hidden = false;
    });
    window.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) zone.hidden = true;
    });
    window.addEventListener('dragover', (event) => {
      if (hasFiles(event)) event.preventDefault();
    });
    window.addEventListener('drop', (event) => {
      event.preventDefault();
      depth = 0;
      zone.hidden = true;
      const file = event.dataTransfer?.files[0];
      if (file) this.app.openFile(file);
    });
  }

  private update(): void {
    const { app } = this;
    const model = app.model;
    const header = model?.header;
    this.welcome.hidden = app.traceName !== '' || app.loadError !== null;
    if (header) {
      const missing = app.headerMissing;
      const command = missing.includes('command') ? null : header.command.join(' ');
      const filter = missing.includes('filter') ? null : header.filter.mode === 'all' ? 'every syscall' : `filtered (${header.filter.expression})`;
      const parts = [app.traceName, command, `${formatCount(app.records)} records`, formatDuration(model.end - model.start), filter, header.redaction ? 'redacted' : null];
      if (missing.length > 0) parts.push(`the header does not say: ${missing.join(', ')}`);
      this.title.textContent = parts.filter((part) => part !== null).join(' · ');
      const redaction = header.redaction ? [`secrets replaced by <redacted:XXXX> placeholders (rules: ${header.redaction.rules.join(', ')})`] : [];
      this.title.title = [`kernel ${header.kernel} ${header.arch}, cttrace ${header.cttrace}, recorded ${header.created}`, ...header.filter.caveats, ...redaction].join('\n');
    } else this.title.textContent = app.traceName;
    if (model && model.end !== this.lastTraceEnd) {
      this.lastTraceEnd = model.end;
      if (!app.replay.playing && app.replay.playhead === null) {
        app.replay.speed = defaultSpeed(model.end - model.start);
        this.speed.value = String(app.replay.speed);
      }
    }
    this.play.textContent = app.replay.playing ? '❚❚' : '▶';
    this.play.title = app.replay.playing ? 'pause the replay (space)' : 'replay the trace (space)';
    const playhead = app.replay.playhead;
    if (model) {
      this.scrubber.value = String(playhead === null ? 1000 : Math.round(((playhead - model.start) / Math.max(1, model.end - model.start)) * 1000));
      this.clock.textContent = playhead === null ? formatTimestamp(model.end) : formatTimestamp(playhead);
    } else this.clock.textContent = '';
    this.liveBox.hidden = !app.live.active;
    if (app.live.active) {
      const held = app.live.heldRecords;
      const state = app.live.state === 'open' ? (model?.complete ? 'finished' : 'receiving') : app.live.state;
      this.liveStatus.textContent = `live: ${state}${app.live.paused ? ` · paused, ${formatCount(held)} held` : ''}`;
      this.liveStatus.dataset.state = app.live.paused ? 'paused' : app.live.state;
      this.livePause.textContent = app.live.paused ? 'Resume' : 'Pause';
      this.liveFollow.checked = app.live.follow;
    }
  }
}

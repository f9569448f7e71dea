package dev.quiver.server.console;

/** The console's one style sheet, inlined in every page (a few KB, so a page is one request). */
final class ConsoleStyle {

  private ConsoleStyle() {}

  static final String CSS =
      """
      :root { --ink: #1e293b; --muted: #64748b; --line: #e2e8f0; --panel: #ffffff;
        --ground: #f5f7fb; --accent: #4f46e5; --accent-soft: #eef2ff; --good: #15803d;
        --good-soft: #dcfce7; --bad: #b91c1c; --bad-soft: #fee2e2; --warn: #b45309;
        --warn-soft: #fef3c7; --source: #0e7490; --stream: #7c3aed; --view: #4f46e5;
        --odfv: #c2410c; --service: #15803d; --request: #64748b; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
        "Liberation Sans", sans-serif; color: var(--ink); background: var(--ground); }
      a { color: var(--accent); text-decoration: none; }
      a:hover { text-decoration: underline; }
      .topbar { display: flex; align-items: center; gap: 20px; padding: 0 28px; height: 54px;
        background: #0f172a; color: #e2e8f0; position: sticky; top: 0; z-index: 2; }
      .topbar .brand { color: #fff; font-weight: 700; font-size: 16px; letter-spacing: .2px; }
      .topbar .logo { color: #a5b4fc; }
      .topbar .project { color: #cbd5e1; padding: 2px 10px; border: 1px solid #334155;
        border-radius: 999px; font-size: 12px; }
      .topbar nav { display: flex; gap: 4px; flex: 1; }
      .topbar nav a { color: #cbd5e1; padding: 6px 12px; border-radius: 6px; }
      .topbar nav a:hover { background: #1e293b; text-decoration: none; }
      .topbar nav a.current { background: #312e81; color: #fff; }
      .topbar .version { color: #94a3b8; font-size: 12px; font-variant-numeric: tabular-nums; }
      main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; }
      main.narrow { max-width: 440px; padding-top: 12vh; }
      footer { text-align: center; color: var(--muted); font-size: 12px; padding: 0 0 24px; }
      h1 { font-size: 22px; margin: 0; }
      h2 { font-size: 16px; margin: 0 0 12px; }
      h3 { font-size: 14px; margin: 16px 0 8px; }
      .heading { display: flex; align-items: baseline; gap: 12px; margin-bottom: 4px; }
      .kind { text-transform: uppercase; font-size: 11px; letter-spacing: .8px; font-weight: 600;
        color: var(--muted); }
      .sub { color: var(--muted); margin: 0 0 20px; }
      .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
        padding: 18px 20px; margin-bottom: 18px; box-shadow: 0 1px 2px rgba(15,23,42,.04); }
      .cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr));
        gap: 18px; margin-bottom: 18px; }
      .cols > .panel { margin-bottom: 0; }
      .cols.features { grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); }
      .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr));
        gap: 14px; margin-bottom: 18px; }
      .card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
        padding: 14px 16px; }
      .card .value { font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; }
      .card .label { color: var(--muted); font-size: 12px; }
      .card.bad .value { color: var(--bad); }
      .card.good .value { color: var(--good); }
      table { border-collapse: collapse; width: 100%; }
      th { text-align: left; font-size: 11px; text-transform: uppercase; letter-spacing: .6px;
        color: var(--muted); font-weight: 600; padding: 6px 10px; border-bottom: 1px solid
        var(--line); }
      td { padding: 7px 10px; border-bottom: 1px solid #f1f5f9; vertical-align: top; }
      td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
      tr:last-child td { border-bottom: none; }
      code, .code, pre { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo,
        monospace; font-size: 12.5px; }
      pre { background: #0f172a; color: #e2e8f0; padding: 14px 16px; border-radius: 8px;
        overflow-x: auto; margin: 0; line-height: 1.55; }
      .badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px;
        font-weight: 600; white-space: nowrap; }
      .badge.fresh, .badge.pass { background: var(--good-soft); color: var(--good); }
      .badge.stale, .badge.drift, .badge.mismatch { background: var(--bad-soft);
        color: var(--bad); }
      .badge.unknown, .badge.unchecked { background: #f1f5f9; color: var(--muted); }
      .badge.warn { background: var(--warn-soft); color: var(--warn); }
      .pill { display: inline-block; padding: 0 8px; border-radius: 6px; font-size: 12px;
        background: var(--accent-soft); color: var(--accent); margin: 0 4px 4px 0; }
      .note { color: var(--muted); }
      .meta { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; }
      .meta dt { color: var(--muted); }
      .meta dd { margin: 0; }
      form.search { display: flex; gap: 8px; margin: 0 0 14px; }
      input[type=search], input[type=password] { flex: 1; padding: 8px 12px; border: 1px solid
        #cbd5e1; border-radius: 8px; font: inherit; }
      button { padding: 8px 16px; border: none; border-radius: 8px; background: var(--accent);
        color: #fff; font: inherit; font-weight: 600; cursor: pointer; }
      .pager { display: flex; gap: 12px; align-items: center; margin-top: 12px;
        color: var(--muted); }
      .error { background: var(--bad-soft); color: var(--bad); padding: 8px 12px;
        border-radius: 8px; }
      svg text { font-family: system-ui, "Liberation Sans", sans-serif; }
      .lineage { width: 100%; overflow-x: auto; }
      .lineage svg { display: block; max-width: 100%; height: auto; }
      .lineage .edge { fill: none; stroke: #94a3b8; stroke-width: 1.4; }
      .lineage .edge.batch { stroke-dasharray: 5 4; }
      .lineage .node rect { fill: #fff; stroke-width: 1.6; rx: 8; }
      .lineage .node text { font-size: 12.5px; fill: var(--ink); }
      .lineage .node text.k { font-size: 9.5px; letter-spacing: .7px; fill: var(--muted); }
      .lineage .node.focus rect { stroke-width: 3; }
      .lineage a:hover rect { fill: #f8fafc; }
      .lineage .source rect { stroke: var(--source); }
      .lineage .stream rect { stroke: var(--stream); }
      .lineage .view rect { stroke: var(--view); }
      .lineage .odfv rect { stroke: var(--odfv); }
      .lineage .service rect { stroke: var(--service); }
      .lineage .request rect { stroke: var(--request); stroke-dasharray: 3 3; }
      .lineage .dot.fresh { fill: #22c55e; } .lineage .dot.stale { fill: #ef4444; }
      .legend { display: flex; gap: 16px; flex-wrap: wrap; color: var(--muted); font-size: 12px;
        margin-bottom: 10px; }
      .legend span::before { content: ""; display: inline-block; width: 10px; height: 10px;
        border-radius: 3px; margin-right: 6px; border: 2px solid; vertical-align: -1px; }
      .legend .source::before { border-color: var(--source); }
      .legend .stream::before { border-color: var(--stream); }
      .legend .view::before { border-color: var(--view); }
      .legend .odfv::before { border-color: var(--odfv); }
      .legend .service::before { border-color: var(--service); }
      .legend .request::before { border-color: var(--request); border-style: dashed; }
      .timeline .span { fill: #818cf8; } .timeline .axis { stroke: #cbd5e1; }
      .timeline text { font-size: 11px; fill: var(--muted); }
      .timeline .now { stroke: var(--bad); stroke-dasharray: 3 3; }
      .chart .bar { fill: #818cf8; } .chart.current .bar { fill: #fb923c; }
      .chart .bar.special { fill: #cbd5e1; } .chart .grid { stroke: #eef2f7; }
      .chart .axis { stroke: #94a3b8; } .chart .tick { font-size: 10px; fill: var(--muted); }
      .chart .axis-title { font-size: 10px; fill: var(--muted); }
      figure { margin: 0; } figcaption { font-size: 12px; color: var(--muted); }
      .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr));
        gap: 12px; }
      .stat-row { display: flex; flex-wrap: wrap; gap: 6px 18px; color: var(--muted);
        font-size: 12.5px; margin-bottom: 8px; }
      .stat-row b { color: var(--ink); font-weight: 600; font-variant-numeric: tabular-nums; }
      ul.changes { margin: 0; padding-left: 18px; }
      ul.changes li { font-family: ui-monospace, "DejaVu Sans Mono", monospace;
        font-size: 12.5px; }
      """;
}

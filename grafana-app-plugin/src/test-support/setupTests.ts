import { configure } from '@testing-library/react';
import { setBackendSrv } from '@grafana/runtime';
import { configureApp, setRole, backendSrvShim } from './grafana';
import { sharedExporter } from './exporter';

// Every test file starts as a Grafana Admin whose app points at the run's exporter (globalSetup.ts).
setBackendSrv(backendSrvShim);
setRole('Admin');
configureApp(sharedExporter());

// Every answer comes from a real exporter; on a busy machine that takes longer than RTL's 1 s default.
configure({ asyncUtilTimeout: 15_000 });

// Combobox measures option text on a canvas; jsdom has none (the scaffold's setup stubs getContext empty).
HTMLCanvasElement.prototype.getContext = (() => ({
  measureText: (t: string) => ({ width: t.length * 7 }),
})) as unknown as typeof HTMLCanvasElement.prototype.getContext;

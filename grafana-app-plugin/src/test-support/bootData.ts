// Runs before each test file's imports (jest setupFiles): @grafana/runtime reads this when it loads.
// The user's orgRole is what setRole() in grafana.ts changes.
Object.assign(window, {
  grafanaBootData: {
    settings: {},
    user: { orgRole: 'Admin', isGrafanaAdmin: false, theme: 'dark', timezone: 'utc' },
    navTree: [],
  },
});

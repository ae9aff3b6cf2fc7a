// Grafana's boot data, which @grafana/runtime reads once when it loads: this module is the bundle's
// first import, so it runs before any @grafana/* module. The user is an org Admin, as the pages need.
Object.assign(window, {
  grafanaBootData: {
    settings: {
      appSubUrl: '',
      appUrl: `${window.location.origin}/`,
      buildInfo: { version: '13.1.1', edition: 'Open Source', env: 'production' },
      featureToggles: {},
    },
    user: {
      id: 1,
      login: 'admin',
      name: 'Harness admin',
      orgId: 1,
      orgRole: 'Admin',
      isGrafanaAdmin: true,
      isSignedIn: true,
      theme: 'dark',
      timezone: 'utc',
      locale: 'en-US',
      language: 'en-US',
    },
    navTree: [],
  },
});

export {};

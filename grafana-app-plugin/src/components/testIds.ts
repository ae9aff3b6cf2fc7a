/**
 * Stable `data-testid`s for the jest tests and the browser test. One section per page or component;
 * each page's author owns its section: add sections and keys, don't reorder or rename others'.
 */
export const testIds = {
  appConfig: {
    form: 'data-testid ac-form',
    exporterUrl: 'data-testid ac-exporter-url',
    readToken: 'data-testid ac-read-token',
    adminToken: 'data-testid ac-admin-token',
    save: 'data-testid ac-save',
    saveError: 'data-testid ac-save-error',
    test: 'data-testid ac-test',
    testResult: 'data-testid ac-test-result',
  },
  pageState: {
    loading: 'data-testid ps-loading',
    empty: 'data-testid ps-empty',
    error: 'data-testid ps-error',
    forbidden: 'data-testid ps-forbidden',
    retry: 'data-testid ps-retry',
  },
  overview: {
    container: 'data-testid ov-container',
    refresh: 'data-testid ov-refresh',
    overall: 'data-testid ov-overall',
    category: (name: string) => `data-testid ov-category-${name}`,
    activeErrors: 'data-testid ov-active-errors',
    dismissedErrors: 'data-testid ov-dismissed-errors',
    /** Per error key: its row, its Dismiss menu button and its Un-dismiss button. */
    errorRow: (key: string) => `data-testid ov-error-${key}`,
    dismiss: (key: string) => `data-testid ov-dismiss-${key}`,
    undismiss: (key: string) => `data-testid ov-undismiss-${key}`,
    /** A duration in the open Dismiss menu: 24h, 72h, 7d, 30d, 1y, permanent. */
    dismissDuration: (duration: string) => `data-testid ov-dismiss-duration-${duration}`,
    actionError: 'data-testid ov-action-error',
  },
  healthSettings: {
    container: 'data-testid hs-container',
    /** The tabs: suppression, thresholds, exclusions. */
    tab: (name: string) => `data-testid hs-tab-${name}`,
    /** Shown while the page is read-only: a Grafana role below Admin, or a write that came back 403. */
    readOnly: 'data-testid hs-read-only',
    /**
     * The outcome of a section's last write (a success or error alert): `suppression`, `thresholds`
     * (reset all), `thresholds-<section>` (e.g. thresholds-cpu), `exclusions`.
     */
    status: (section: string) => `data-testid hs-status-${section}`,
    /** Suppression, one row per category (cpu, memory, …). */
    dismissHours: (category: string) => `data-testid hs-dismiss-hours-${category}`,
    dismissPermanent: (category: string) => `data-testid hs-dismiss-permanent-${category}`,
    autoDismiss: (category: string) => `data-testid hs-auto-dismiss-${category}`,
    suppressionSave: 'data-testid hs-suppression-save',
    /** Thresholds, by section (cpu, memory, …) and key (usage_warning, …). */
    thresholdField: (section: string, key: string) => `data-testid hs-threshold-field-${section}-${key}`,
    threshold: (section: string, key: string) => `data-testid hs-threshold-${section}-${key}`,
    thresholdUseDefault: (section: string, key: string) =>
      `data-testid hs-threshold-use-default-${section}-${key}`,
    thresholdSave: (section: string) => `data-testid hs-threshold-save-${section}`,
    /** Opens the inline confirm; its confirm button is labelled "Yes, reset". */
    thresholdReset: (section: string) => `data-testid hs-threshold-reset-${section}`,
    thresholdResetAll: 'data-testid hs-threshold-reset-all',
    /** Exclusions: the add form. The kind is a radio group with the options Interface and Storage. */
    exclusionKind: 'data-testid hs-exclusion-kind',
    exclusionName: 'data-testid hs-exclusion-name',
    /** A suggested name (an interface or PVE storage) that fills the name field. */
    exclusionPick: (name: string) => `data-testid hs-exclusion-pick-${name}`,
    exclusionHealth: 'data-testid hs-exclusion-health',
    exclusionNotifications: 'data-testid hs-exclusion-notifications',
    exclusionReason: 'data-testid hs-exclusion-reason',
    exclusionAdd: 'data-testid hs-exclusion-add',
    /** Exclusions: the list, one row per kind (storage or interface) and name. */
    exclusionList: 'data-testid hs-exclusion-list',
    exclusionRow: (kind: string, name: string) => `data-testid hs-exclusion-${kind}-${name}`,
    exclusionRowHealth: (kind: string, name: string) => `data-testid hs-exclusion-health-${kind}-${name}`,
    exclusionRowNotifications: (kind: string, name: string) =>
      `data-testid hs-exclusion-notifications-${kind}-${name}`,
    /** Opens the inline confirm; its confirm button is labelled "Yes, remove". */
    exclusionRemove: (kind: string, name: string) => `data-testid hs-exclusion-remove-${kind}-${name}`,
  },
  notifications: {
    container: 'data-testid nt-container',
    /** Tabs: channels, events, schedule, ai, history, dead-letters. */
    tab: (id: string) => `data-testid nt-tab-${id}`,
    actionError: 'data-testid nt-action-error',
    channels: {
      list: 'data-testid nt-ch-list',
      add: 'data-testid nt-ch-add',
      testAll: 'data-testid nt-ch-test-all',
      testAllResult: 'data-testid nt-ch-test-all-result',
      /** Per channel name: its row (name cell), Test, Edit and Delete buttons and the last test's result. */
      row: (name: string) => `data-testid nt-ch-row-${name}`,
      test: (name: string) => `data-testid nt-ch-test-${name}`,
      testResult: (name: string) => `data-testid nt-ch-test-result-${name}`,
      edit: (name: string) => `data-testid nt-ch-edit-${name}`,
      remove: (name: string) => `data-testid nt-ch-delete-${name}`,
      /** Which secret keys are set, per channel and key (shows "configured"). */
      secret: (name: string, key: string) => `data-testid nt-ch-secret-${name}-${key}`,
      confirmDelete: 'data-testid nt-ch-confirm-delete',
      cancelDelete: 'data-testid nt-ch-cancel-delete',
    },
    channelForm: {
      form: 'data-testid nt-cf-form',
      name: 'data-testid nt-cf-name',
      /** The channel type Select (its container). */
      type: 'data-testid nt-cf-type',
      enabled: 'data-testid nt-cf-enabled',
      minSeverity: 'data-testid nt-cf-min-severity',
      /** A config field by its key (url, bearer_token, chat_id, …); secrets are SecretInputs. */
      field: (key: string) => `data-testid nt-cf-field-${key}`,
      save: 'data-testid nt-cf-save',
      cancel: 'data-testid nt-cf-cancel',
      error: 'data-testid nt-cf-error',
    },
    events: {
      /** The channel whose events are shown (a Select container). */
      channel: 'data-testid nt-ev-channel',
      group: (group: string) => `data-testid nt-ev-group-${group}`,
      event: (type: string) => `data-testid nt-ev-event-${type}`,
      save: 'data-testid nt-ev-save',
      saved: 'data-testid nt-ev-saved',
    },
    schedule: {
      settingsForm: 'data-testid nt-sc-settings',
      enabled: 'data-testid nt-sc-enabled',
      hostname: 'data-testid nt-sc-hostname',
      timezone: 'data-testid nt-sc-timezone',
      maxAttempts: 'data-testid nt-sc-max-attempts',
      retention: 'data-testid nt-sc-retention',
      cooldown: 'data-testid nt-sc-cooldown',
      save: 'data-testid nt-sc-save',
      saved: 'data-testid nt-sc-saved',
      /** Per channel: quiet hours switch, start, end; digest switch and time; Save. */
      quiet: (name: string) => `data-testid nt-sc-quiet-${name}`,
      quietStart: (name: string) => `data-testid nt-sc-quiet-start-${name}`,
      quietEnd: (name: string) => `data-testid nt-sc-quiet-end-${name}`,
      digest: (name: string) => `data-testid nt-sc-digest-${name}`,
      digestTime: (name: string) => `data-testid nt-sc-digest-time-${name}`,
      channelSave: (name: string) => `data-testid nt-sc-channel-save-${name}`,
      channelSaved: (name: string) => `data-testid nt-sc-channel-saved-${name}`,
    },
    ai: {
      form: 'data-testid nt-ai-form',
      unavailable: 'data-testid nt-ai-unavailable',
      enabled: 'data-testid nt-ai-enabled',
      /** Provider, model and language are Select containers. */
      provider: 'data-testid nt-ai-provider',
      baseUrl: 'data-testid nt-ai-base-url',
      model: 'data-testid nt-ai-model',
      loadModels: 'data-testid nt-ai-load-models',
      models: 'data-testid nt-ai-models',
      language: 'data-testid nt-ai-language',
      detail: 'data-testid nt-ai-detail',
      apiKey: 'data-testid nt-ai-api-key',
      channel: (name: string) => `data-testid nt-ai-channel-${name}`,
      save: 'data-testid nt-ai-save',
      saved: 'data-testid nt-ai-saved',
      test: 'data-testid nt-ai-test',
      testResult: 'data-testid nt-ai-test-result',
      template: 'data-testid nt-ai-template',
      rewritten: 'data-testid nt-ai-rewritten',
      error: 'data-testid nt-ai-error',
    },
    history: {
      table: 'data-testid nt-hi-table',
      /** Filters: channel and event type are Select containers, status and time RadioButtonGroups. */
      channel: 'data-testid nt-hi-channel',
      eventType: 'data-testid nt-hi-event-type',
      status: 'data-testid nt-hi-status',
      time: 'data-testid nt-hi-time',
      pageSize: 'data-testid nt-hi-page-size',
      row: (id: number) => `data-testid nt-hi-row-${id}`,
      next: 'data-testid nt-hi-next',
      previous: 'data-testid nt-hi-previous',
      page: 'data-testid nt-hi-page',
      refresh: 'data-testid nt-hi-refresh',
    },
    deadLetters: {
      table: 'data-testid nt-dl-table',
      row: (id: number) => `data-testid nt-dl-row-${id}`,
      retry: (id: number) => `data-testid nt-dl-retry-${id}`,
      refresh: 'data-testid nt-dl-refresh',
      result: 'data-testid nt-dl-result',
    },
  },
  security: {
    container: 'data-testid sc-container',
    /** Tabs: tokens, users, totp, failures, fail2ban, audit. */
    tab: (id: string) => `data-testid sc-tab-${id}`,
    /** The outcome of a tab's last action (success or error alert), per tab id. */
    result: (tab: string) => `data-testid sc-result-${tab}`,
    tokens: {
      list: 'data-testid sc-tk-list',
      /** Switch: revoked tokens are hidden unless on. */
      showRevoked: 'data-testid sc-tk-show-revoked',
      /** Per token id: its row (name cell) and Revoke (opens the inline confirm "Yes, revoke"). */
      row: (id: number) => `data-testid sc-tk-row-${id}`,
      revoke: (id: number) => `data-testid sc-tk-revoke-${id}`,
      /** The create form: name, one checkbox per scope (read, write, admin, terminal), expiry radio group. */
      name: 'data-testid sc-tk-name',
      scope: (scope: string) => `data-testid sc-tk-scope-${scope}`,
      expiry: 'data-testid sc-tk-expiry',
      create: 'data-testid sc-tk-create',
      /** The new token, shown once: the box, its value (a read-only input), Copy and Done. */
      created: 'data-testid sc-tk-created',
      createdValue: 'data-testid sc-tk-created-value',
      copy: 'data-testid sc-tk-copy',
      done: 'data-testid sc-tk-done',
    },
    users: {
      list: 'data-testid sc-us-list',
      /** Per user name: row (name cell), role radio group, Set password, Delete (confirm "Yes, delete"). */
      row: (username: string) => `data-testid sc-us-row-${username}`,
      role: (username: string) => `data-testid sc-us-role-${username}`,
      setPassword: (username: string) => `data-testid sc-us-set-password-${username}`,
      remove: (username: string) => `data-testid sc-us-delete-${username}`,
      /** The Set password modal. */
      newPassword: 'data-testid sc-us-new-password',
      savePassword: 'data-testid sc-us-save-password',
      /** The add form. */
      username: 'data-testid sc-us-username',
      password: 'data-testid sc-us-password',
      newRole: 'data-testid sc-us-new-role',
      add: 'data-testid sc-us-add',
    },
    totp: {
      list: 'data-testid sc-tp-list',
      /** Per user name: row (status cell), Set up (when off), Turn off (when on). */
      row: (username: string) => `data-testid sc-tp-row-${username}`,
      setup: (username: string) => `data-testid sc-tp-setup-${username}`,
      disable: (username: string) => `data-testid sc-tp-disable-${username}`,
      /** Enrolment: the user's current password and Start, then the QR image, secret, code and Enable. */
      password: 'data-testid sc-tp-password',
      start: 'data-testid sc-tp-start',
      qr: 'data-testid sc-tp-qr',
      secret: 'data-testid sc-tp-secret',
      code: 'data-testid sc-tp-code',
      enable: 'data-testid sc-tp-enable',
      cancel: 'data-testid sc-tp-cancel',
      /** The backup codes, shown once after enabling, and Done. */
      backupCodes: 'data-testid sc-tp-backup-codes',
      done: 'data-testid sc-tp-done',
      /** Turning off: password, a TOTP or backup code, and the button (confirm "Yes, turn off"). */
      disablePassword: 'data-testid sc-tp-disable-password',
      disableCode: 'data-testid sc-tp-disable-code',
      disableConfirm: 'data-testid sc-tp-disable-confirm',
    },
    failures: {
      table: 'data-testid sc-af-table',
      refresh: 'data-testid sc-af-refresh',
    },
    fail2ban: {
      /** The empty state shown when fail2ban or its proxmon jail is not there. */
      unavailable: 'data-testid sc-fb-unavailable',
      status: 'data-testid sc-fb-status',
      table: 'data-testid sc-fb-table',
      /** Per banned IP: its row and Unban (confirm "Yes, unban"). */
      row: (ip: string) => `data-testid sc-fb-row-${ip}`,
      unban: (ip: string) => `data-testid sc-fb-unban-${ip}`,
      refresh: 'data-testid sc-fb-refresh',
    },
    audit: {
      table: 'data-testid sc-au-table',
      row: (id: number) => `data-testid sc-au-row-${id}`,
      /** Paging: newest, newer, older; page size radio group (25, 50, 100); the page number. */
      newest: 'data-testid sc-au-newest',
      newer: 'data-testid sc-au-newer',
      older: 'data-testid sc-au-older',
      pageSize: 'data-testid sc-au-page-size',
      page: 'data-testid sc-au-page',
    },
  },
  terminal: {
    container: 'data-testid tm-container',
    /** The page's target choice (a RadioButtonGroup: Host shell, Container console) and the container. */
    target: 'data-testid tm-target',
    /** The container Combobox (its input: pick a listed container or type an id) and its field error. */
    vmid: 'data-testid tm-vmid',
    vmidError: 'data-testid tm-vmid-error',
    /** The terminal component (page and panel): its box, the xterm screen, and the status line. */
    view: 'data-testid tm-view',
    screen: 'data-testid tm-screen',
    /** Has data-state: idle, connecting, connected, reconnecting or closed. */
    status: 'data-testid tm-status',
    connect: 'data-testid tm-connect',
    disconnect: 'data-testid tm-disconnect',
    reconnect: 'data-testid tm-reconnect',
    directUrlError: 'data-testid tm-direct-url-error',
    /** The terminal panel's box (on a dashboard). */
    panel: 'data-testid tm-panel',
  },
};

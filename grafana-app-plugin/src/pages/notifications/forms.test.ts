import { SECRET_MASK, specForPut, type ChannelView } from './api';
import { configFromForm, fieldOfError, formFor, validateConfig } from './channelTypes';
import { checkChannelName, checkHhmm, checkHttpUrl, checkInt, checkTimeZone } from './validate';

const webhookView: ChannelView = {
  name: 'ops',
  type: 'webhook',
  enabled: true,
  groups: { backup: false },
  events: { vm_start: true },
  min_severity: 'WARNING',
  quiet_hours: { start: '22:00', end: '07:00' },
  ai: { enabled: false, detail: 'standard', language: 'en' },
  config: {
    url: SECRET_MASK,
    headers: { 'X-Team': 'ops', 'X-Env': 'lab' },
    signature_header: 'X-Proxmon-Signature-256',
    future_option: 3,
  },
  secrets: { url: true, bearer_token: false, secret: false },
  source: 'api',
  updated_at: '2026-11-26T10:00:00.000Z',
};

describe('field checks', () => {
  it.each([
    ['00:00', undefined],
    ['23:59', undefined],
    ['7:30', 'Use 24-hour HH:MM, e.g. 07:30'],
    ['24:00', 'Use 24-hour HH:MM, e.g. 07:30'],
    ['12:60', 'Use 24-hour HH:MM, e.g. 07:30'],
    ['', 'A time is required'],
  ])('HH:MM %j', (v, want) => expect(checkHhmm(v)).toBe(want));

  it.each([
    ['UTC', undefined],
    ['Europe/Berlin', undefined],
    ['', undefined],
    ['Mars/Olympus', 'Not a known time zone; use an IANA name such as Europe/Berlin or UTC'],
  ])('time zone %j', (v, want) => expect(checkTimeZone(v)).toBe(want));

  it('channel names follow the exporter', () => {
    expect(checkChannelName('ops-hook_1')).toBeUndefined();
    expect(checkChannelName('')).toBe('A name is required');
    expect(checkChannelName('Ops')).toMatch(/Lowercase/);
    expect(checkChannelName('-ops')).toMatch(/Lowercase/);
    expect(checkChannelName('a'.repeat(41))).toMatch(/Lowercase/);
  });

  it('URLs and numbers', () => {
    expect(checkHttpUrl('http://127.0.0.1:9/hook')).toBeUndefined();
    expect(checkHttpUrl('ftp://x')).toBe('Must be an http:// or https:// URL');
    expect(checkHttpUrl('nope')).toMatch(/Not a URL/);
    expect(checkInt('12', 1, 100)).toBeUndefined();
    expect(checkInt('0', 1, 100)).toBe('Between 1 and 100');
    expect(checkInt('1.5', 1, 100)).toBe('A whole number is required');
  });
});

describe('channel forms', () => {
  it('a new channel starts from the type defaults, every secret unset', () => {
    const f = formFor('email');
    expect(f.values.tls_mode).toBe('starttls');
    expect(f.values.tls_reject_unauthorized).toBe(true);
    expect(f.secrets.password).toEqual({ value: '', configured: false, changed: false });
  });

  it('requires what the type requires, and checks what was typed', () => {
    const f = formFor('webhook');
    expect(validateConfig('webhook', f)).toEqual({ url: 'URL is required' });
    f.secrets.url = { value: 'not a url', configured: false, changed: true };
    f.secrets.secret = { value: 'short', configured: false, changed: true };
    f.values.headers = 'X-Ok: 1\nbroken line';
    expect(validateConfig('webhook', f)).toEqual({
      url: 'Not a URL; e.g. https://example.org/hook',
      secret: 'Use at least 16 characters',
      headers: '"broken line": use Name: value',
    });
    const mail = formFor('email');
    mail.values.host = 'smtp.lab';
    mail.values.from_address = 'proxmon@lab';
    mail.values.to_addresses = 'ops@lab, not-an-address';
    expect(validateConfig('email', mail)).toEqual({
      to_addresses: 'not-an-address: not a plain address like ops@example.org',
    });
  });

  it('an existing channel shows its secrets as configured and is valid without retyping them', () => {
    const f = formFor('webhook', webhookView);
    expect(f.secrets.url).toEqual({ value: '', configured: true, changed: false });
    expect(f.secrets.bearer_token?.configured).toBe(false);
    expect(f.values.headers).toBe('X-Team: ops\nX-Env: lab');
    expect(validateConfig('webhook', f)).toEqual({});
  });

  it('sends secrets only when typed, and keeps keys the form does not show', () => {
    const f = formFor('webhook', webhookView);
    f.values.headers = 'X-Team: core';
    expect(configFromForm('webhook', f, webhookView)).toEqual({
      headers: { 'X-Team': 'core' },
      signature_header: 'X-Proxmon-Signature-256',
      future_option: 3,
    });
    // Reset and left empty: still not sent, so the exporter keeps the stored value.
    f.secrets.url = { value: '', configured: true, changed: true };
    expect(configFromForm('webhook', f, webhookView)).not.toHaveProperty('url');
    f.secrets.url = { value: ' http://127.0.0.1:1/new ', configured: true, changed: true };
    f.secrets.bearer_token = { value: 'tok', configured: false, changed: true };
    expect(configFromForm('webhook', f, webhookView)).toMatchObject({
      url: 'http://127.0.0.1:1/new',
      bearer_token: 'tok',
    });
  });

  it('converts lists, numbers and switches', () => {
    const f = formFor('email');
    Object.assign(f.values, {
      host: 'smtp.lab',
      port: '2525',
      from_address: 'p@lab',
      to_addresses: 'a@lab\nb@lab, c@lab',
      tls_mode: 'none',
    });
    expect(configFromForm('email', f)).toEqual({
      host: 'smtp.lab',
      port: 2525,
      tls_mode: 'none',
      from_address: 'p@lab',
      to_addresses: ['a@lab', 'b@lab', 'c@lab'],
      tls_reject_unauthorized: true,
    });
  });

  it('places the exporter validation messages on their fields', () => {
    expect(fieldOfError('config.url: must be an http:// or https:// URL')).toEqual({
      field: 'config.url',
      message: 'must be an http:// or https:// URL',
    });
    expect(fieldOfError('config.headers.Host: Host is set by proxmon')).toEqual({
      field: 'config.headers',
      message: 'Host is set by proxmon',
    });
    expect(fieldOfError('name: not a channel name')).toEqual({
      field: 'name',
      message: 'not a channel name',
    });
    expect(fieldOfError('something else entirely')).toBeUndefined();
  });
});

describe('policy changes', () => {
  it('put back the whole spec without secrets or what the API adds', () => {
    expect(specForPut(webhookView, { quiet_hours: undefined, digest: { time: '08:00' } })).toEqual({
      type: 'webhook',
      enabled: true,
      groups: { backup: false },
      events: { vm_start: true },
      min_severity: 'WARNING',
      ai: { enabled: false, detail: 'standard', language: 'en' },
      quiet_hours: undefined,
      digest: { time: '08:00' },
      config: {
        headers: { 'X-Team': 'ops', 'X-Env': 'lab' },
        signature_header: 'X-Proxmon-Signature-256',
        future_option: 3,
      },
    });
    // `undefined` disappears on the wire, which removes the quiet hours.
    expect(
      JSON.parse(JSON.stringify(specForPut(webhookView, { quiet_hours: undefined }))),
    ).not.toHaveProperty('quiet_hours');
  });
});

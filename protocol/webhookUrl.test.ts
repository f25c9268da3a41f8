import { describe, expect, it } from 'vitest';
import { webhookUrlProblem } from './webhookUrl.js';

describe('webhookUrlProblem', () => {
  it.each([
    ['https://hooks.shop.example/parley', null],
    ['http://localhost:8080/hook', null],
    ['http://127.0.0.1/hook', null],
    ['http://[::1]:9000/', null],
    ['http://hooks.shop.example/parley', 'https'],
    ['ftp://hooks.shop.example/', 'https'],
    ['https://user:pw@hooks.shop.example/', 'credentials'],
    ['not a url', 'invalid'],
    ['', 'invalid'],
  ])('%s', (url, problem) => expect(webhookUrlProblem(url)).toBe(problem));
});

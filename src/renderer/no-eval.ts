/**
 * The renderer's CSP forbids eval (bundle-protocol.ts): zod must not even try its compiled fast
 * path. Imported first by every entry of the renderer (the page and the preview worker), each of
 * which has its own zod.
 */
import { z } from 'zod';

z.config({ jitless: true });

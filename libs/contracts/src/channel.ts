import { z } from 'zod';

export const CHANNELS = ['whatsapp', 'instagram', 'messenger', 'email', 'x', 'webchat', 'api'] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const PROVIDERS = [
  'whatsapp-web',
  'whatsapp-cloud',
  'meta-instagram',
  'meta-messenger',
  'imap',
  'x-dm',
  'http',
] as const;
export const providerSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof providerSchema>;

export const directionSchema = z.enum(['inbound', 'outbound']);
export type Direction = z.infer<typeof directionSchema>;

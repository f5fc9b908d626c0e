import type { FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { cookiesInUse, type CookieCategory } from '../privacy/policy.js';

// The words of the cookie notice and /cookies in English and Spanish: a small catalogue, not a
// translation of the site. BANNER_VERSION names these words in every consent record: change a
// text a visitor reads before choosing, and raise it.
export const BANNER_VERSION = '2026-11-29';
export const LANG_COOKIE = 'spmb_lang';
export const langs = ['en', 'es'] as const;
export type Lang = (typeof langs)[number];

const en = {
  langName: 'English',
  region: 'Cookie choices',
  title: 'Cookies on this site',
  intro:
    'We use strictly necessary cookies to run the site. With your permission we would also use analytics cookies, to count visits and improve the site, and advertising cookies, to measure our ads. Nothing but the necessary ones is set until you choose.',
  acceptAll: 'Accept all',
  rejectAll: 'Reject all',
  choose: 'Choose',
  save: 'Save my choices',
  close: 'Close',
  dialogTitle: 'Choose your cookies',
  gpcHonored: 'Opt-out preference signal honored',
  gpcExplain:
    'Your browser sends a Global Privacy Control signal, so advertising stays off while it does, whatever is chosen here.',
  pageTitle: 'Cookie choices',
  pageIntro:
    'Choose which cookies this website may use. You can change your mind here at any time.',
  current: 'Your current choice',
  none: 'not chosen yet',
  granted: 'allowed',
  denied: 'refused',
  saved: 'Your cookie choices are saved.',
  alwaysOn: 'Always on',
  on: 'Allow',
  policyLink: 'Read the privacy policy',
  switchTo: 'Ver en español',
  cookie: 'Cookie',
  purpose: 'What it does',
  lifetime: 'Kept for',
  party: 'Set by',
  first: 'us (first party)',
  third: 'another company (third party)',
  vendors: 'Other companies whose code may load after you agree',
  cookiesIn: 'The cookies, what they do and how long they last',
  categories: {
    strictly_necessary: {
      label: 'Strictly necessary',
      text: 'Needed for the site to work and to remember your choices. They cannot be switched off.',
    },
    analytics: {
      label: 'Analytics',
      text: 'Help us count visits and see which pages are useful, first party only.',
    },
    advertising: {
      label: 'Advertising',
      text: 'Let advertising partners measure our ads. Never on pages where you type personal information.',
    },
  } satisfies Record<CookieCategory, { label: string; text: string }>,
};

export type Messages = typeof en;

const es: Messages = {
  langName: 'Español',
  region: 'Opciones de cookies',
  title: 'Cookies en este sitio',
  intro:
    'Usamos cookies estrictamente necesarias para que el sitio funcione. Con su permiso usaríamos también cookies de analítica, para contar visitas y mejorar el sitio, y de publicidad, para medir nuestros anuncios. Solo se guardan las necesarias hasta que usted elija.',
  acceptAll: 'Aceptar todas',
  rejectAll: 'Rechazar todas',
  choose: 'Elegir',
  save: 'Guardar mis opciones',
  close: 'Cerrar',
  dialogTitle: 'Elija sus cookies',
  gpcHonored: 'Señal de preferencia de exclusión respetada (Opt-out preference signal honored)',
  gpcExplain:
    'Su navegador envía la señal Global Privacy Control: la publicidad queda desactivada mientras la envíe, elija lo que elija aquí.',
  pageTitle: 'Opciones de cookies',
  pageIntro:
    'Elija qué cookies puede usar este sitio. Puede cambiar de opinión aquí en cualquier momento.',
  current: 'Su opción actual',
  none: 'aún sin elegir',
  granted: 'permitidas',
  denied: 'rechazadas',
  saved: 'Sus opciones de cookies están guardadas.',
  alwaysOn: 'Siempre activas',
  on: 'Permitir',
  policyLink: 'Leer la política de privacidad',
  switchTo: 'View in English',
  cookie: 'Cookie',
  purpose: 'Para qué sirve',
  lifetime: 'Se guarda',
  party: 'La pone',
  first: 'nosotros (propia)',
  third: 'otra empresa (de terceros)',
  vendors: 'Otras empresas cuyo código puede cargarse si usted acepta',
  cookiesIn: 'Las cookies, para qué sirven y cuánto duran',
  categories: {
    strictly_necessary: {
      label: 'Estrictamente necesarias',
      text: 'Hacen falta para que el sitio funcione y para recordar sus opciones. No se pueden desactivar.',
    },
    analytics: {
      label: 'Analítica',
      text: 'Nos ayudan a contar visitas y ver qué páginas son útiles; solo propias.',
    },
    advertising: {
      label: 'Publicidad',
      text: 'Permiten a socios publicitarios medir nuestros anuncios. Nunca en páginas donde usted escribe datos personales.',
    },
  },
};

/** Spanish descriptions of each cookie in the catalogue; a test fails when one is missing. */
export const cookiePurposeEs: Record<string, { purpose: string; lifetime: string }> = {
  _csrf: {
    purpose:
      'protege los formularios de acceso del personal contra solicitudes falsificadas por otros sitios',
    lifetime: 'hasta cerrar el navegador',
  },
  sid: {
    purpose:
      'mantiene la sesión de un empleado en la consola del personal (se llama __Host-sid cuando el sitio se sirve por HTTPS)',
    lifetime: '12 horas como máximo',
  },
  spmb_choices: {
    purpose: 'recuerda las opciones de cookies y privacidad hechas en este navegador',
    lifetime: '1 año',
  },
  spmb_consent: {
    purpose:
      'un número al azar que une las opciones de este navegador con nuestro registro de ellas, como prueba',
    lifetime: '1 año',
  },
  spmb_gpc: {
    purpose:
      'recuerda que este navegador envió la señal Global Privacy Control y que la respetamos',
    lifetime: '1 año',
  },
  spmb_lang: {
    purpose: 'recuerda el idioma que eligió para el aviso de cookies',
    lifetime: '1 año',
  },
  spmb_vid: {
    purpose:
      'un número de visitante al azar, para contar visitas que vuelven; no dice quién es usted',
    lifetime: '13 meses',
  },
  spmb_client: {
    purpose:
      'marca un navegador usado para entrar como cliente o socio, para distinguir visitas de clientes y de posibles clientes',
    lifetime: '13 meses',
  },
};

export const messages: Record<Lang, Messages> = { en, es };

/** The catalogue's cookie list in a language. */
export function cookieRows(lang: Lang) {
  return cookiesInUse().map((c) => {
    const es = lang === 'es' ? cookiePurposeEs[c.name] : undefined;
    return { ...c, purpose: es?.purpose ?? c.purpose, lifetime: es?.lifetime ?? c.lifetime };
  });
}

/** The visitor's pick (spmb_lang) first, then the browser's Accept-Language, then English. */
export function langOf(request: FastifyRequest): Lang {
  const picked = request.cookies[LANG_COOKIE];
  if (picked === 'en' || picked === 'es') return picked;
  const best = new Negotiator({
    headers: { 'accept-language': request.headers['accept-language'] ?? '' },
  }).language([...langs]);
  return best === 'es' ? 'es' : 'en';
}

import type { JSX } from 'solid-js';

/**
 * Inline SVG icons: they render the same on every handheld (an emoji needs a font the device may
 * not have) and follow the text colour. Decorative: the text next to each says what it means.
 */
function Svg(props: { children: JSX.Element; class?: string }) {
  return (
    <svg class={`icon ${props.class ?? ''}`} viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      {props.children}
    </svg>
  );
}

export const IconOnline = () => (
  <Svg>
    <path d="M2 8.5a15 15 0 0 1 20 0M5.5 12a10 10 0 0 1 13 0M9 15.5a5 5 0 0 1 6 0" />
    <circle cx="12" cy="19" r="1.2" fill="currentColor" />
  </Svg>
);

export const IconOffline = () => (
  <Svg>
    <path d="M3 3l18 18M9 15.5a5 5 0 0 1 6 0M5.5 12a10 10 0 0 1 4-2.3M14.5 9.8a10 10 0 0 1 4 2.2M2 8.5a15 15 0 0 1 4.5-2.8M11 5.1a15 15 0 0 1 11 3.4" />
  </Svg>
);

export const IconSyncing = () => (
  <Svg class="icon-spin">
    <path d="M20 12a8 8 0 0 1-14 5.3M4 12a8 8 0 0 1 14-5.3" />
    <path d="M18 2.5v4.2h-4.2M6 21.5v-4.2h4.2" />
  </Svg>
);

export const IconClock = () => (
  <Svg>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 7v5l3 2" />
  </Svg>
);

export const IconCheck = () => (
  <Svg>
    <path d="M4.5 12.5l5 5 10-11" />
  </Svg>
);

export const IconEquals = () => (
  <Svg>
    <path d="M5 9.5h14M5 14.5h14" />
  </Svg>
);

export const IconCross = () => (
  <Svg>
    <path d="M6 6l12 12M18 6L6 18" />
  </Svg>
);

export const IconWarning = () => (
  <Svg>
    <path d="M12 3l10 18H2z" />
    <path d="M12 10v4.5M12 17.5v.5" />
  </Svg>
);

export const IconInbox = () => (
  <Svg>
    <path d="M3 13l3-8h12l3 8v6H3z" />
    <path d="M3 13h5l1.5 2.5h5L16 13h5" />
  </Svg>
);

export const IconScan = () => (
  <Svg>
    <path d="M3 7V4h3M18 4h3v3M21 17v3h-3M6 20H3v-3" />
    <path d="M7 8v8M10 8v8M13 8v8M17 8v8" />
  </Svg>
);

export const IconBills = () => (
  <Svg>
    <path d="M6 2.5h9l4 4v15H6z" />
    <path d="M9 11h7M9 15h7M9 7h3" />
  </Svg>
);

export const IconSearch = () => (
  <Svg>
    <circle cx="10.5" cy="10.5" r="6.5" />
    <path d="M15.5 15.5L21 21" />
  </Svg>
);

export const IconBags = () => (
  <Svg>
    <path d="M6 8h12l1.5 13h-15z" />
    <path d="M9 8V6a3 3 0 0 1 6 0v2" />
  </Svg>
);

export const IconChart = () => (
  <Svg>
    <path d="M4 20h16M7 16v-5M12 16V6M17 16v-8" />
  </Svg>
);

export const IconTest = () => (
  <Svg>
    <path d="M4 6h16v12H4z" />
    <path d="M8 10h.01M12 10h.01M16 10h.01M8 14h8" />
  </Svg>
);

export const IconMore = () => (
  <Svg>
    <circle cx="5" cy="12" r="1.3" fill="currentColor" />
    <circle cx="12" cy="12" r="1.3" fill="currentColor" />
    <circle cx="19" cy="12" r="1.3" fill="currentColor" />
  </Svg>
);

export const IconUpload = () => (
  <Svg>
    <path d="M12 15V4M7.5 8.5 12 4l4.5 4.5" />
    <path d="M4 14v5a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-5" />
  </Svg>
);

export const IconUsers = () => (
  <Svg>
    <circle cx="9" cy="8" r="3.5" />
    <path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.6a3.5 3.5 0 0 1 0 6.8M18 14a6.5 6.5 0 0 1 3.5 6" />
  </Svg>
);

export const IconAudit = () => (
  <Svg>
    <path d="M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7" />
  </Svg>
);

/** A pulse line: system health. */
export const IconPulse = () => (
  <Svg>
    <path d="M3 12h4l2-5 4 10 2-5h6" />
  </Svg>
);

export const IconAccount = () => (
  <Svg>
    <circle cx="12" cy="8" r="4" />
    <path d="M4 21a8 8 0 0 1 16 0" />
  </Svg>
);

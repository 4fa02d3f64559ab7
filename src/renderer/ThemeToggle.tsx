/** The toolbar's light/dark toggle: flips the theme shown, remembered across sessions (src/renderer/theme.ts). */
import { useSyncExternalStore } from 'react';
import { currentTheme, subscribeTheme, toggleTheme } from './theme.js';

export function ThemeToggle() {
  const theme = useSyncExternalStore(subscribeTheme, currentTheme);
  return (
    <button type="button" onClick={toggleTheme} data-testid="theme" aria-pressed={theme === 'dark'} title={theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'}>
      {theme === 'dark' ? 'Light' : 'Dark'}
    </button>
  );
}

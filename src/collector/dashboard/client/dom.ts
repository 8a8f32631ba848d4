/**
 * The only way the dashboard makes DOM: elements from tag names, text from `createTextNode`. Record
 * fields are user-written text (prompts), so nothing here parses HTML (no `innerHTML`, no `insertAdjacentHTML`),
 * no attribute named `on…` or `style` can be set from data, and a link only ever points inside the dashboard.
 * @module
 */

/** What may be appended: nodes, text (strings and numbers become text nodes), nothing, or lists of those. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Attributes and listeners: a function under `onclick`-style keys becomes a listener; anything else an attribute. */
export type Props = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(element: Element, props: Props | undefined, children: readonly Child[]): void {
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (typeof value === 'function') {
        if (!name.startsWith('on')) throw new Error(`a listener must be named on<event>: ${name}`);
        element.addEventListener(name.slice(2), value);
        continue;
      }
      const lower = name.toLowerCase();
      if (lower.startsWith('on') || lower === 'style' || lower === 'srcdoc') throw new Error(`refusing the attribute ${name}`);
      const text = value === true ? '' : String(value);
      if ((lower === 'href' || lower === 'src' || lower === 'action') && !/^(#|\.\/|\?)/.test(text)) throw new Error(`a dashboard link stays inside the dashboard: ${name}`);
      element.setAttribute(name, text);
    }
  }
  append(element, children);
}

/**
 * Appends children: nodes as they are, strings and numbers as text nodes.
 * @param parent The element to fill.
 * @param children What to append.
 */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child as readonly Child[]);
    else if (typeof child === 'string' || typeof child === 'number') parent.appendChild(document.createTextNode(String(child)));
    else parent.appendChild(child as Node);
  }
}

/**
 * Makes an HTML element.
 * @param tag The tag name.
 * @param props Attributes (`class`, `href`...) and `on<event>` listeners.
 * @param children Nodes and text.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, props, children);
  return element;
}

/**
 * Makes an SVG element.
 * @param tag The tag name.
 * @param props Presentation attributes (`x`, `d`, `class`...) and `on<event>` listeners.
 * @param children Nodes and text.
 */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, props, children);
  return element;
}

/**
 * Replaces an element's children.
 * @param parent The element.
 * @param children The new children.
 */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

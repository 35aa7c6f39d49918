/*
 * lumina-dom.js — the two small DOM helpers the live pages share.
 *
 *   LuminaDOM.el('td', {'class': 'x'}, ['text', childNode])   // an element with attributes and children
 *   LuminaDOM.liveBadge(document.getElementById('live-status')) // an onStatus handler for LuminaSocket
 */
(function (global) {
  'use strict';

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  /** Shows a socket's status ("live" when open) in a `.live-status` badge. */
  function liveBadge(element) {
    return function (status) {
      if (!element) return;
      element.textContent = status === 'open' ? 'live' : status;
      element.className = 'live-status live-' + status;
    };
  }

  global.LuminaDOM = {el: el, liveBadge: liveBadge};
})(window);

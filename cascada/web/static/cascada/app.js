// Cascada behaviour: no inline script anywhere (CSP).

#!/usr/bin/env node
console.log('traitlab cli placeholder', process.argv.slice(2).join(' '));
